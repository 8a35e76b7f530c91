/// An error of the engine that is not about a scenario file's text.
public enum RehearseError: Error, CustomStringConvertible, Sendable, ExitStatusProviding {
    /// No PostgreSQL could be started or reached (exit code 3).
    case infrastructure(String)
    /// Invalid input that is not a scenario file: an argument, a results file (exit code 2).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .infrastructure(let m): m
        case .invalidInput(let m): m
        }
    }

    public var exitStatus: Int32 {
        switch self {
        case .infrastructure: ExitStatus.infrastructure
        case .invalidInput: ExitStatus.invalid
        }
    }
}
