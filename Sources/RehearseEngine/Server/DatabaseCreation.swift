import Foundation
import PostgresClient
import RehearseSupport

/// One `CREATE DATABASE` on a `--server`, as the signal cleanup sees it. The database is
/// invisible to the run's mark-based cleanup until it is committed and commented, so a
/// cleanup that came in between left it for good (an unmarked `rehearse_<run>_template`).
/// Creation and abandonment agree here: a creation not yet sent never starts, and one
/// in flight is cancelled and waited for, then its database is dropped by name.
final class DatabaseCreation: Sendable {
    private enum State { case pending, sent, done, abandoned }

    let name: String
    let template: String?
    let marker: String
    private let state = Locked(State.pending)
    private let token = Locked<Int?>(nil)

    init(name: String, template: String?, marker: String) {
        self.name = name
        self.template = template
        self.marker = marker
    }

    /// Creates the database on `admin` (tracked while it runs, so a cleanup can undo it).
    func run(on admin: Connection, serverConninfo: String) async throws {
        let pid = admin.backendPID
        token.withLock {
            $0 = CleanupRegistry.shared.register("database \(name) being created") { [self] in
                abandon(conninfo: serverConninfo, backendPID: pid)
            }
        }
        defer { token.value.map(CleanupRegistry.shared.unregister) }
        let create = DatabaseCloner.createStatement(self.name, template: template, serverVersion: admin.serverVersion)
        let comment = "COMMENT ON DATABASE \(quoteIdentifier(self.name)) IS \(quoteLiteral(marker))"
        let state = self.state
        try await admin.withSession { session in
            // Decided and sent on the session's own thread: the cleanup either sees `pending`
            // (and nothing is ever sent) or waits until this returns.
            let go = state.withLock { s -> Bool in
                guard s == .pending else { return false }
                s = .sent
                return true
            }
            guard go else { throw PostgresError(kind: .client, message: "the run was interrupted") }
            defer { state.withLock { $0 = .done } }
            try session.execute(create)
            try session.execute(comment)
        }
    }

    /// Cleanup side, synchronous: stop a creation before it starts, or cancel it and
    /// wait for it to end, then drop what it made.
    func abandon(conninfo: String, backendPID: Int32) {
        let wasPending = state.withLock { s -> Bool in
            if s == .pending { s = .abandoned; return true }
            return false
        }
        if wasPending { return }
        guard let session = try? Session.open(conninfo: conninfo) else { return }
        var rounds = 0
        while state.value == .sent && rounds < 200 {
            _ = try? session.query("SELECT pg_cancel_backend($1)", [String(backendPID)])
            usleep(25_000)
            rounds += 1
        }
        let comment = try? session.query(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = $1", [name]
        ).scalar
        guard let comment, comment.isEmpty || comment == marker else { return }
        _ = try? session.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
    }
}
