import RehearseSupport

/// A `database.extensions` entry that this server's build does not carry. Without versions
/// it ends the run as before (exit 3, the same message); in a version matrix it blocks that
/// version's document, and the other versions run.
struct MissingExtension: Error, CustomStringConvertible, ExitStatusProviding {
    var name: String
    /// The server's own message (`extension "pgcrypto" is not available`).
    var message: String
    var postgresVersion: String

    var description: String { "database.extensions: \(message)" }
    var exitStatus: Int32 { ExitStatus.infrastructure }
}
