import Foundation
import RehearseResults
import PostgresClient
import RehearseSupport

/// An existing server (`--server URL`): rehearse creates a database per
/// repetition, marks it with a comment, and drops only marked databases.
final class ExternalHost: DatabaseHost {
    let base: [String: String]
    let baseConninfo: String
    let runID: String
    let postgresVersion: String

    private init(conninfo: String, params: [String: String], runID: String, version: String) {
        self.baseConninfo = conninfo
        self.base = params
        self.runID = runID
        self.postgresVersion = version
    }

    static func connect(_ conninfo: String, runID: String) async throws -> ExternalHost {
        guard let params = ConnectionInfo.parse(conninfo) else {
            throw RehearseError.invalidInput(
                "--server: not a valid connection string or URL: \(ConnectionInfo.parseError(conninfo) ?? "")")
        }
        do {
            let connection = try await Connection.connect(conninfo, label: "rehearse-admin")
            let version = try await connection.query("SHOW server_version").scalar ?? "unknown"
            await connection.close()
            let clean = version.split(separator: " ").first.map(String.init) ?? version
            return ExternalHost(conninfo: conninfo, params: params, runID: runID, version: clean)
        } catch let error as PostgresError {
            throw RehearseError.infrastructure("cannot reach the server \(SecretMasker.mask(conninfo)): \(error.message)")
        }
    }

    var kind: ServerKind { .external }
    var serverPID: Int32? { nil }
    var memoryCap: ServerMemoryCap? { nil }

    /// The database named in the URL itself: never created, dropped or written by rehearse.
    var ownDatabase: String { base["dbname"] ?? base["user"] ?? "postgres" }

    func connectionParameters(database: String) -> [String: String] {
        var params = base
        params["dbname"] = database
        return params
    }

    func conninfo(database: String) -> String {
        connectionParameters(database: database)
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\(Self.quote($0.value))" }
            .joined(separator: " ")
    }

    var maintenanceDatabase: String { ownDatabase }

    private static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    func createDatabase(_ name: String, template: String?) async throws {
        guard name.hasPrefix("rehearse_") else {
            throw RehearseError.invalidInput("refusing to create \(name): rehearse's databases are named rehearse_*")
        }
        let creation = DatabaseCreation(name: name, template: template, marker: "\(Self.markPrefix)\(runID)")
        let server = conninfo(database: ownDatabase)
        try await withAdmin { admin in try await creation.run(on: admin, serverConninfo: server) }
    }

    /// Drops `name` only when rehearse's comment marks it, and never the URL's own database.
    func dropDatabase(_ name: String) async throws {
        guard name != ownDatabase else {
            throw RehearseError.invalidInput("refusing to drop \(name): it is the database named in --server")
        }
        try await withAdmin { admin in
            let mark = try await admin.query(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", [name])
            guard let row = mark.rows.first else { return }
            guard let comment = row[0] ?? nil, comment.hasPrefix(Self.markPrefix) else {
                throw RehearseError.invalidInput("refusing to drop \(name): rehearse did not create it (no rehearse mark)")
            }
            try await admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    func settings() async -> [String: String] {
        let rows = try? await withAdmin { admin in
            try await admin.query(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name IN ('shared_buffers','work_mem','max_connections','fsync','synchronous_commit')"
            ).rows
        }
        var result: [String: String] = [:]
        for row in rows ?? [] { if let n = row[0], let v = row[1] { result[n] = v } }
        return result
    }

    func shutdown() async {}

    func markKept(database: String) async {
        _ = try? await withAdmin { admin in
            try await admin.execute(
                "COMMENT ON DATABASE \(quoteIdentifier(database)) IS \(quoteLiteral("\(Self.markPrefix)\(runID) \(Self.keptMark)"))")
        }
    }
}
