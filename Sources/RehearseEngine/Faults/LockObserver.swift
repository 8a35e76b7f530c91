import Foundation
import PostgresClient
import Synchronization
import RehearseResults
import RehearseSupport

/// Samples `pg_locks` every 50 ms on its own connection while a repetition
/// runs, and attributes what it sees to steps and fault holders through the
/// `SessionDirectory`.
final class LockObserver: Sendable {
    static let interval: UInt64 = 50_000_000

    struct HeldLock: Sendable, Hashable {
        var relation: String
        /// A `tuple` lock (a session waiting for a row) is `row`, never a table lock.
        var kind: String
        var mode: String
    }

    struct Observation: Sendable {
        /// Per owner: lock → (first seen, last seen) in ns since origin.
        var held: [SessionDirectory.Owner: [HeldLock: (UInt64, UInt64)]] = [:]
        /// Per owner: the longest wait seen for any of its sessions, ms.
        var longestWait: [SessionDirectory.Owner: Double] = [:]
        /// Per blocking pid: waiter pid → longest wait seen, ms.
        var waitersOf: [Int32: [Int32: Double]] = [:]
        var samples = 0
    }

    private let sessions: SessionDirectory
    private let stopSignal = StopSignal()
    private let state = Locked(Observation())
    private let origin: UInt64
    private let loop: Task<Void, Never>

    /// Starts sampling. The observer leaves while a step needs the database to itself
    /// (`SessionDirectory.keepingBystandersOff`: a snapshot copy) and comes back after.
    init(conninfo: String, sessions: SessionDirectory, origin: UInt64) {
        self.sessions = sessions
        self.origin = origin
        let stop = stopSignal
        let state = self.state
        self.loop = Task {
            while !stop.isStopped {
                if sessions.bystandersMustLeave {
                    try? await Task.sleep(for: .milliseconds(5))
                    continue
                }
                guard
                    let connection = try? await Connection.connect(
                        conninfo, overrides: [("application_name", "rehearse:observer")], label: "rehearse-observer")
                else {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                _ = try? await connection.withSession { session in
                    try Self.sample(session: session, sessions: sessions, origin: origin, stop: stop, state: state)
                }
                await connection.close()
                // Closed under it (the server went away, or a snapshot copy closed every
                // session before the observer saw that it must leave): try again soon.
                if !stop.isStopped && !sessions.bystandersMustLeave { try? await Task.sleep(for: .milliseconds(50)) }
            }
        }
    }

    static func start(conninfo: String, sessions: SessionDirectory, origin: UInt64) -> LockObserver {
        LockObserver(conninfo: conninfo, sessions: sessions, origin: origin)
    }

    static let query = """
        SELECT l.pid, coalesce(c.relname, CASE l.locktype WHEN 'advisory' THEN 'advisory ' || l.objid ELSE l.locktype END),
               l.mode, l.granted,
               coalesce(extract(epoch FROM clock_timestamp() - l.waitstart) * 1000, 0)::float8,
               CASE WHEN l.granted THEN '' ELSE array_to_string(pg_blocking_pids(l.pid), ',') END,
               CASE l.locktype WHEN 'tuple' THEN 'row' WHEN 'advisory' THEN 'advisory' WHEN 'relation' THEN 'relation'
                    ELSE 'object' END
        FROM pg_locks l
        LEFT JOIN pg_class c ON c.oid = l.relation
        WHERE l.pid <> pg_backend_pid()
          AND l.locktype IN ('relation', 'tuple', 'advisory', 'transactionid')
          AND (l.relation IS NULL OR c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'pg_toast'::regnamespace, 'information_schema'::regnamespace)
               AND c.relnamespace::regnamespace::text <> '_rehearse')
          AND (l.database IS NULL OR l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
        """

    private static func sample(
        session: Session, sessions: SessionDirectory, origin: UInt64, stop: StopSignal, state: Locked<Observation>
    ) throws {
        try session.prepare("observe", query)
        let none = ParameterBuffer(capacity: 1)
        // Checked after connecting too: a copy that closed the database's sessions waits
        // for the count to reach zero, so a connection made just before it must go.
        while !stop.isStopped && !sessions.bystandersMustLeave {
            let now = monotonicNanos() &- origin
            let rows = try session.queryPrepared("observe", none).rows
            let owners = sessions.snapshot()
            state.withLock { obs in
                obs.samples += 1
                for row in rows {
                    guard let pid = row[0].flatMap({ Int32($0) }) else { continue }
                    let relation = row[1] ?? "?"
                    let mode = row[2] ?? "?"
                    let granted = row[3] == "t"
                    let waitMs = Double(row[4] ?? "0") ?? 0
                    let owner = owners[pid]
                    if granted {
                        guard let owner, relation != "transactionid" else { continue }
                        let lock = HeldLock(relation: relation, kind: row[6] ?? "relation", mode: mode)
                        let seen = obs.held[owner]?[lock]
                        obs.held[owner, default: [:]][lock] = (seen?.0 ?? now, now)
                    } else {
                        if let owner { obs.longestWait[owner] = max(obs.longestWait[owner] ?? 0, waitMs) }
                        for blocker in (row[5] ?? "").split(separator: ",").compactMap({ Int32($0) }) {
                            obs.waitersOf[blocker, default: [:]][pid] = max(obs.waitersOf[blocker]?[pid] ?? 0, waitMs)
                        }
                    }
                }
            }
            sleepUntil(nanos: monotonicNanos() + interval)
        }
    }

    /// How many samples were taken so far (the observer may be between two of them).
    var samplesSoFar: Int { state.value.samples }

    /// Stops sampling and returns everything seen.
    func finish() async -> Observation {
        stopSignal.stop()
        loop.cancel()  // ends a pause before reconnecting
        await loop.value
        return state.value
    }

    /// What an owner was seen holding, with how long (first to last sighting plus one interval).
    static func locksTaken(_ observation: Observation, owner: SessionDirectory.Owner) -> [LockTaken] {
        (observation.held[owner] ?? [:]).map { lock, seen in
            LockTaken(
                relation: lock.relation, kind: lock.kind, mode: lock.mode,
                heldMs: (Double(seen.1 - seen.0) + Double(interval)) / 1e6, exact: false)
        }.sorted { ($0.relation, $0.mode) < ($1.relation, $1.mode) }
    }

    /// A step's exact locks, and the sampled ones no exact entry accounts for
    /// (taken by statements that ran outside rehearse's view: alone, or without a transaction).
    static func merge(exact: [LockTaken], sampled: [LockTaken]) -> [LockTaken] {
        let known = Set(exact.map { "\($0.relation)\u{0}\($0.kind ?? "")\u{0}\($0.mode)" })
        return exact + sampled.filter { !known.contains("\($0.relation)\u{0}\($0.kind ?? "")\u{0}\($0.mode)") }
    }
}
