/// A pgbench script that rehearse cannot run, or a command that failed while it ran:
/// the script file, 1-based line and column, and pgbench's message where it has one.
package struct PgBenchScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int
    package var message: String

    package init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String { "\(file):\(line):\(column): \(message)" }
}
