/// An error of the engine that is not about a scenario file's text.
public enum RehearseError: Error, CustomStringConvertible, Sendable {
    /// No PostgreSQL could be started or reached (exit code 3).
    case infrastructure(String)
    /// Invalid input that is not a scenario file: an argument, a results file (exit code 2).
    case invalidInput(String)
    /// The run was interrupted by a signal.
    case interrupted(signal: Int32)

    public var description: String {
        switch self {
        case .infrastructure(let m): m
        case .invalidInput(let m): m
        case .interrupted(let s): "interrupted by signal \(s)"
        }
    }
}
