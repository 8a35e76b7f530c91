/// A script that rehearse cannot run as psql would: where and why.
package struct SQLScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the script.
    package var line: Int
    /// 1-based column, in characters.
    package var column: Int
    package var message: String

    package var description: String { "\(line):\(column): \(message)" }
}
