/// The command line's exit codes (shared/spec/cli.md), and the one place an error becomes one.
public enum ExitStatus {
    public static let ok: Int32 = 0
    /// An expectation not met, or a regression.
    public static let notMet: Int32 = 1
    /// Invalid input: a scenario file, a results file, an argument.
    public static let invalid: Int32 = 2
    /// No PostgreSQL could be started or reached, or a run could not be carried out.
    public static let infrastructure: Int32 = 3

    /// A run ended by SIGINT (130) or SIGTERM (143).
    public static func interrupted(by signal: Int32) -> Int32 { 128 + signal }

    /// The exit code `error` ends a command with: what the error says of itself, and
    /// infrastructure (3) for an error that says nothing (the server's, the system's).
    public static func of(_ error: any Error) -> Int32 {
        (error as? any ExitStatusProviding)?.exitStatus ?? infrastructure
    }
}

/// An error that knows which exit code it ends a command with.
public protocol ExitStatusProviding: Error {
    var exitStatus: Int32 { get }
}
