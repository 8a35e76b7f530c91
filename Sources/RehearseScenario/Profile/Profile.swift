/// A database's shape without its rows: the catalog and planner statistics of some
/// tables, as `rehearse profile` reads them and a `synthesize` step rebuilds them
/// (see shared/spec/scenario-format.md, *Production-shaped data*).
///
/// This is the profile file's format, version 1, documented in README.md and
/// schema/profile.schema.json. It is plain values: nothing here reads a database,
/// so the format can be loaded, checked and redacted anywhere.
public struct Profile: Codable, Sendable, Equatable {
    /// The profile file's format version; a reader refuses a version it does not know.
    public var profileVersion: Int
    public var source: Source
    /// True when every value that could come from a row was dropped (`--redact`).
    public var redacted: Bool
    public var tables: [TableProfile]

    public static let currentVersion = 1

    public init(source: Source, redacted: Bool = false, tables: [TableProfile]) {
        self.profileVersion = Self.currentVersion
        self.source = source
        self.redacted = redacted
        self.tables = tables
    }

    /// Where and when the statistics were read. No host, user or password: the URL is not kept.
    public struct Source: Codable, Sendable, Equatable {
        /// `server_version` of the profiled server (e.g. `15.18`).
        public var serverVersion: String
        public var database: String
        /// UTC, ISO 8601.
        public var takenAt: String

        public init(serverVersion: String, database: String, takenAt: String) {
            self.serverVersion = serverVersion
            self.database = database
            self.takenAt = takenAt
        }

        enum CodingKeys: String, CodingKey {
            case serverVersion = "server_version"
            case database
            case takenAt = "taken_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case profileVersion = "profile_version"
        case source, redacted, tables
    }

    /// The table of this name (`schema.name`, or a bare name in any schema, `public` first).
    public func table(named name: String) -> TableProfile? {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2 { return tables.first { $0.schema == parts[0] && $0.name == parts[1] } }
        return tables.first { $0.schema == "public" && $0.name == name } ?? tables.first { $0.name == name }
    }
}
