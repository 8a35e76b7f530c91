/// A PostgreSQL major version read from a version string: `16` from `16.2`, `18` from
/// `18devel` or `18beta1`, `15` from `15.18 (Debian 15.18-0+deb12u1)`.
public enum PostgresMajor {
    /// The leading number of `version`, or nil when it does not start with one (`unknown`).
    public static func of(_ version: String) -> Int? {
        let digits = version.prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }
}

extension ResultsDocument {
    /// The major version of the server this document's run used (`environment.postgres_version`).
    public var postgresMajor: Int? { PostgresMajor.of(environment.postgresVersion) }
}
