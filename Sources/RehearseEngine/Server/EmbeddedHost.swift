import Foundation
import RehearseResults
import PostgresClient
import RehearseSupport

/// The embedded server as a `DatabaseHost`.
final class EmbeddedHost: DatabaseHost {
    let server: EmbeddedServer
    let runID: String
    /// One admin session for the host's life: creating a repetition's database then costs
    /// two statements, not a connection set-up as well.
    private let admin = Locked<Connection?>(nil)

    init(server: EmbeddedServer, runID: String) {
        self.server = server
        self.runID = runID
    }

    func withAdmin<T: Sendable>(_ body: @Sendable (Connection) async throws -> T) async throws -> T {
        if let connection = admin.value { return try await body(connection) }
        let fresh = try await Connection.connect(conninfo(database: maintenanceDatabase), label: "rehearse-admin")
        let existing = admin.withLock { current -> Connection? in
            if let current { return current }
            current = fresh
            return nil
        }
        if let existing {
            await fresh.close()
            return try await body(existing)
        }
        return try await body(fresh)
    }

    var kind: ServerKind { .embedded }
    var postgresVersion: String { server.binaries.version }
    var serverPID: Int32? { server.process.pid }
    var memoryCap: ServerMemoryCap? { server.memoryCap }

    func connectionParameters(database: String) -> [String: String] {
        var params = server.connectionParameters
        params["dbname"] = database
        return params
    }

    func conninfo(database: String) -> String { server.conninfo(database: database) }

    func createDatabase(_ name: String, template: String?) async throws {
        try await withAdmin { admin in
            try await DatabaseCloner.create(name, template: template, marker: "\(Self.markPrefix)\(runID)", on: admin)
        }
    }

    func dropDatabase(_ name: String) async throws {
        try await withAdmin { admin in
            _ = try await admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    func settings() async -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in server.settings where !["unix_socket_directories", "listen_addresses", "port"].contains(name) {
            result[name] = value
        }
        let rows = try? await withAdmin { admin in
            try await admin.query(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name IN ('shared_buffers','work_mem','max_connections','maintenance_work_mem')"
            ).rows
        }
        for row in rows ?? [] { if let n = row[0], let v = row[1] { result[n] = v } }
        return result
    }

    func markKept(database: String) async {
        server.markKept()
    }

    func shutdown() async {
        if let connection = admin.withLock({ c in
            defer { c = nil }; return c
        }) {
            await connection.close()
        }
        await server.stop()
    }
}

/// `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`, marked with a comment.
enum DatabaseCloner {
    static func create(_ name: String, template: String?, marker: String, on admin: Connection) async throws {
        try await admin.execute(createStatement(name, template: template, serverVersion: admin.serverVersion))
        try await admin.execute("COMMENT ON DATABASE \(quoteIdentifier(name)) IS \(quoteLiteral(marker))")
    }

    static func createStatement(_ name: String, template: String?, serverVersion: Int) -> String {
        var sql = "CREATE DATABASE \(quoteIdentifier(name))"
        sql += " TEMPLATE \(quoteIdentifier(template ?? "template0"))"
        if serverVersion >= 150000 { sql += " STRATEGY FILE_COPY" }
        return sql
    }

    /// Closes other sessions on a database (a template must have none while it is copied).
    static func closeSessions(on database: String, admin: Connection) async throws {
        try await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [database])
        for _ in 0..<200 {
            let left = try await admin.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database])
            if left.scalar == "0" { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
