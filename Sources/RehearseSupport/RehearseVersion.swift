/// The version rehearse reports in results documents, reports and `--version`.
public enum RehearseVersion {
    public static let current = "0.1.0"
}
