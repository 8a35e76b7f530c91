import Foundation
import PostgresClient
import RehearseResults
import RehearseSupport

/// Reads a step's work counters before and after it: `pg_stat_database` of the repetition's
/// own database and, on the embedded server, the WAL insert position. It reads from the
/// maintenance database, so its own queries are not counted in the database it measures.
///
/// Statistics reach `pg_stat_database` when a backend flushes them; a backend that exits
/// flushes all it has before it leaves `pg_stat_activity`, so the reading after a step
/// waits for the step's sessions to be gone. The embedded server runs with `full_page_writes`
/// off, so a step's WAL has no full-page images and does not depend on when the last
/// checkpoint was; a checkpoint inside the step still marks the counters unattributed.
final class WorkMeter: Sendable {
    struct Reading: Sendable {
        var wal: Int64?
        var redo: String?
        var hit: Int64
        var read: Int64
        var temp: Int64
        var rows: Int64
        var autovacuum: Bool
    }

    private let connection: Connection
    private let database: String
    /// The embedded server is ours alone: its WAL and checkpoints are the repetition's.
    private let ownsServer: Bool

    private init(connection: Connection, database: String, ownsServer: Bool) {
        self.connection = connection
        self.database = database
        self.ownsServer = ownsServer
    }

    /// nil when the maintenance database cannot be reached: the steps then have no work counters.
    static func open(host: any DatabaseHost, database: String) async -> WorkMeter? {
        guard let connection = try? await host.connect(database: host.maintenanceDatabase, label: "rehearse-work") else { return nil }
        return WorkMeter(connection: connection, database: database, ownsServer: host.kind == .embedded)
    }

    func close() async { await connection.close() }

    /// Before a step.
    func before() async -> Reading? { await read() }

    /// After a step: waits (up to 2 s) for the step's sessions to exit and flush their statistics.
    /// nil `Reading` when the counters cannot be read; `settled` false when the wait ran out.
    func after(step: String) async -> (reading: Reading?, settled: Bool) {
        let deadline = monotonicNanos() + 2_000_000_000
        var settled = false
        while monotonicNanos() < deadline && !Task.isCancelled {
            let left = try? await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2", [database, "rehearse:\(step)"]
            ).rows.first?[0]
            if left == "0" {
                settled = true
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return (await read(), settled)
    }

    func work(from a: Reading, to b: Reading, attributed: Bool) -> WorkCounters {
        let wal = ownsServer ? a.wal.flatMap { x in b.wal.map { $0 - x } } : nil
        let quiet = !a.autovacuum && !b.autovacuum && (!ownsServer || a.redo == b.redo)
        return WorkCounters(
            walBytes: wal, sharedBlksHit: b.hit - a.hit, sharedBlksRead: b.read - a.read, tempBytes: b.temp - a.temp,
            rows: b.rows - a.rows, attributed: attributed && quiet)
    }

    private func read() async -> Reading? {
        // The WAL position and the checkpoint only on our own server (pg_control_checkpoint needs a superuser).
        let walColumns =
            ownsServer
            ? "pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint, (SELECT redo_lsn::text FROM pg_control_checkpoint())"
            : "NULL::bigint, NULL::text"
        let sql = """
            SELECT \(walColumns), blks_hit, blks_read, temp_bytes, tup_inserted + tup_updated + tup_deleted,
                   EXISTS (SELECT FROM pg_stat_activity a WHERE a.datname = d.datname AND a.backend_type = 'autovacuum worker')
            FROM pg_stat_database d WHERE datname = $1
            """
        guard let row = try? await connection.query(sql, [database]).rows.first else { return nil }
        func int(_ i: Int) -> Int64 { row[i].flatMap { Int64($0) } ?? 0 }
        return Reading(
            wal: row[0].flatMap { Int64($0) }, redo: row[1], hit: int(2), read: int(3), temp: int(4), rows: int(5),
            autovacuum: row[6] == "t")
    }
}
