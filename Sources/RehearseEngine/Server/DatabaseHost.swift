import Foundation
import RehearseResults
import PostgresClient

/// A server that hands out throw-away databases: the embedded one, or an
/// existing server (`--server`), where rehearse creates and drops only
/// databases it marked as its own.
protocol DatabaseHost: Sendable {
    /// `embedded` or `external`, as the results' `environment.server` says.
    var kind: ServerKind { get }
    var postgresVersion: String { get }
    /// libpq keywords to reach a database on this host (host, port, user, password…).
    func connectionParameters(database: String) -> [String: String]
    /// A connection string for `database` (may carry a password; mask before printing).
    func conninfo(database: String) -> String
    /// Creates a database from the template (or template0 when `template` is nil), marked as rehearse's.
    func createDatabase(_ name: String, template: String?) async throws
    /// Drops a database rehearse created; refuses any other.
    func dropDatabase(_ name: String) async throws
    /// Settings in force, for the results.
    func settings() async -> [String: String]
    /// The server's processes, for memory sampling (embedded only).
    var serverPID: Int32? { get }
    var memoryCap: ServerMemoryCap? { get }
    /// The database admin statements connect to.
    var maintenanceDatabase: String { get }
    /// Runs `body` on a connection to the maintenance database.
    func withAdmin<T: Sendable>(_ body: @Sendable (Connection) async throws -> T) async throws -> T
    func shutdown() async
    /// Marks what `--keep` leaves (the server's folder, or the database) as kept: later
    /// runs leave it alone and only `rehearse clean` removes it.
    func markKept(database: String) async
}

extension DatabaseHost {
    /// Marks a database as rehearse's own; `dropDatabase` checks the mark.
    static var markPrefix: String { "rehearse:" }
    /// Follows the run id in the mark of a database `--keep` left.
    static var keptMark: String { "kept" }

    /// A fresh connection to the maintenance database, closed before this returns.
    func withAdmin<T: Sendable>(_ body: @Sendable (Connection) async throws -> T) async throws -> T {
        try await Connection.with(conninfo(database: maintenanceDatabase), label: "rehearse-admin", body)
    }

    var maintenanceDatabase: String { "postgres" }

    func connect(database: String, label: String = "rehearse-pq") async throws -> Connection {
        try await Connection.connect(conninfo(database: database), label: label)
    }
}

/// Quotes an identifier for SQL.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Quotes a string literal for SQL.
func quoteLiteral(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
}
