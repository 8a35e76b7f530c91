/// The rows and status of one statement, in text format.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// `INSERT 0 1`, `UPDATE 200`, `CREATE TABLE`…
    public var commandTag: String
    /// The count in the command tag, when it has one.
    public var affectedRows: Int

    public init(columns: [String] = [], rows: [[String?]] = [], commandTag: String = "", affectedRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    /// The first column of the first row.
    public var scalar: String? { rows.first?.first ?? nil }
}
