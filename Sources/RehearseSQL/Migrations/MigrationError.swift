/// A migrations folder that cannot be loaded: the file (or folder) at fault,
/// the line where it matters, and what to do about it.
package struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Path of the file or folder at fault.
    var file: String
    /// 1-based line, when the problem is inside a file.
    var line: Int?
    var message: String

    init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    package var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}
