/// A script that rehearse cannot run as psql would: where and why.
struct SQLScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the script.
    var line: Int
    /// 1-based column, in characters.
    var column: Int
    var message: String

    var description: String { "\(line):\(column): \(message)" }
}
