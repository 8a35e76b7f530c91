/// A CSV file that cannot be loaded: which file, which line, and why.
struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CSV file's path.
    var file: String
    /// 1-based line in the file (0 when the file could not be opened).
    var line: Int
    var message: String

    var description: String { "\(file):\(line): \(message)" }
}
