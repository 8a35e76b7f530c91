/// One profiled table: its size, its columns' statistics and the constraints that
/// synthesized rows must keep.
public struct TableProfile: Codable, Sendable, Equatable {
    public var schema: String
    public var name: String
    /// `pg_class.reltuples`: the planner's row count (0 when never analyzed or vacuumed).
    public var rows: Double
    /// `pg_class.relpages`: 8 kB pages on disk at the last ANALYZE or VACUUM.
    public var pages: Int
    /// False when the table had no statistics (never analyzed): `rows` and the columns' `stats` say nothing.
    public var analyzed: Bool
    /// In column order (`attnum`).
    public var columns: [ColumnProfile]
    /// Column names of the primary key, in key order; nil when there is none.
    public var primaryKey: [String]?
    /// Each unique constraint or unique index, as its column names (expression and partial indexes are left out).
    public var unique: [[String]]
    public var foreignKeys: [ForeignKeyProfile]
    /// Table check constraints, as `pg_get_constraintdef` writes them (schema, kept by `--redact`).
    public var checks: [CheckProfile]

    public init(
        schema: String, name: String, rows: Double, pages: Int, analyzed: Bool, columns: [ColumnProfile],
        primaryKey: [String]? = nil, unique: [[String]] = [], foreignKeys: [ForeignKeyProfile] = [], checks: [CheckProfile] = []
    ) {
        self.schema = schema
        self.name = name
        self.rows = rows
        self.pages = pages
        self.analyzed = analyzed
        self.columns = columns
        self.primaryKey = primaryKey
        self.unique = unique
        self.foreignKeys = foreignKeys
        self.checks = checks
    }

    /// `schema.name`, as the results and messages name the table.
    public var qualifiedName: String { "\(schema).\(name)" }

    public func column(_ name: String) -> ColumnProfile? { columns.first { $0.name == name } }

    enum CodingKeys: String, CodingKey {
        case schema, name, rows, pages, analyzed, columns
        case primaryKey = "primary_key"
        case unique
        case foreignKeys = "foreign_keys"
        case checks
    }
}

/// A foreign key: `columns` of this table reference `references.columns` of another (or the same) table.
public struct ForeignKeyProfile: Codable, Sendable, Equatable {
    public var name: String
    public var columns: [String]
    public var references: Target

    public init(name: String, columns: [String], references: Target) {
        self.name = name
        self.columns = columns
        self.references = references
    }

    public struct Target: Codable, Sendable, Equatable {
        public var schema: String
        public var table: String
        public var columns: [String]

        public init(schema: String, table: String, columns: [String]) {
            self.schema = schema
            self.table = table
            self.columns = columns
        }

        public var qualifiedName: String { "\(schema).\(table)" }
    }
}

/// A check constraint: its name and definition (`CHECK ((amount >= (0)::numeric))`).
public struct CheckProfile: Codable, Sendable, Equatable {
    public var name: String
    public var definition: String

    public init(name: String, definition: String) {
        self.name = name
        self.definition = definition
    }
}
