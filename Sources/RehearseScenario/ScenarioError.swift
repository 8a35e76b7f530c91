public import RehearseSupport

/// A problem in a scenario file, with where it is: `file:line:column: error: key: message`.
public struct ScenarioError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    /// The dotted path of the key, e.g. `steps[2].backfill.batch_size`.
    public var key: String
    public var message: String

    public init(file: String, line: Int, column: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        "\(file):\(line):\(column): error: \(key.isEmpty ? "" : "\(key): ")\(message)"
    }
}

/// All the problems found in one file.
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ScenarioError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

extension ScenarioErrors: ExitStatusProviding {
    /// A scenario file that is not valid is invalid input.
    public var exitStatus: Int32 { ExitStatus.invalid }
}
