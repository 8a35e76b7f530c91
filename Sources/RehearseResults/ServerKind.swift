/// Where a scenario ran (`environment.server`): a disposable server rehearse started, or
/// throw-away databases on a server given with `--server`.
public enum ServerKind: String, Codable, Sendable, CaseIterable {
    case embedded
    case external
}
