import Foundation
import PostgresClient
import RehearseScenario
import RehearseSupport

/// One backfill's batches on its session: a walk in key order from the first key,
/// batch after batch until one updates no row. `Backfill.runBatches` walks once,
/// then again over what still matches `where` while a walk gains ground.
struct BackfillWalk {
    enum Outcome {
        /// The walk reached the end of the key; it updated that many rows.
        case finished(updated: Int)
        /// The step is over: failed, memory cap passed or cut short (see `measurement`).
        case stopped
    }

    let spec: BackfillSpec
    let key: Backfill.PrimaryKey
    let session: Session
    let memoryLimit: Int64?
    let continueOnError: Bool
    let cancelled: StopSignal
    /// Reads each batch's transaction's own locks before it commits (`locks_taken`).
    let locks: ExactLockRecorder
    var measurement = StepMeasurement()
    // Prepared on first use, inside the retry loop: preparing an UPDATE takes a lock on
    // the table, and a lock fault may hold it from the step's first moment.
    var prepared: Set<String> = []

    /// The step's lock, statement and idle timeouts on the session (counting the rows
    /// left resets them, so each walk sets them again).
    func applySettings() throws(PostgresError) {
        var settings: [String] = []
        if let t = spec.lockTimeout { settings.append("SET lock_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.statementTimeout { settings.append("SET statement_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.idleInTransactionTimeout {
            settings.append("SET idle_in_transaction_session_timeout = '\(Int(t.milliseconds))ms'")
        }
        if !settings.isEmpty { try session.execute(settings.joined(separator: "; ")) }
    }

    /// Walks the key from its first value. A batch is retried on lock and timeout errors
    /// (`retries`); one that fails after its retries counts as an error, with its latency
    /// from its first attempt, and fails the step, or with `on_error: continue` is stepped
    /// over (its rows stay, and show in `rows_remaining`). A retried attempt is not an error.
    mutating func walk() -> Outcome {
        var last: [String]?
        var updatedInWalk = 0
        let params = ParameterBuffer(capacity: key.columns.count)
        batches: while true {
            var attempt = 0
            let batchStart = monotonicNanos()
            while true {
                // A cancel that came while this session was idle (in a pause or a backoff) hit nothing.
                if cancelled.isStopped { return cancel() }
                do {
                    let name = last == nil ? "bf_first" : "bf_next"
                    try prepare(name)
                    params.removeAll()
                    if let last { for v in last { params.append(v) } }
                    try session.execute("BEGIN")
                    let statementStart = monotonicNanos()
                    let result = try session.queryPrepared(name, params)
                    let overhead = locks.overheadNanos
                    try locks.afterStatement("backfill batch (\(spec.table))", startedAt: statementStart, session: session)
                    try session.execute("COMMIT")
                    locks.transactionEnded()
                    let updated = Int(result.scalar ?? "0") ?? 0
                    // The lock read is rehearse's own work, not the batch's latency.
                    measurement.record(batchNanos: monotonicNanos() - batchStart - (locks.overheadNanos - overhead), rows: updated)
                    updatedInWalk += updated
                    if updated == 0 { break batches }
                    last = Array(result.rows[0].dropFirst()).map { $0 ?? "" }
                    if let limit = memoryLimit, let used = ClientMemory.allocatedBytes(), used > limit {
                        measurement.fail(
                            message: "client memory \(used) bytes passed the step's memory_cap of \(limit) bytes",
                            sqlstate: "53200")
                        return .stopped
                    }
                    break
                } catch {
                    if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                    locks.transactionEnded()
                    // Cut short by the step's timeout or an interrupt: not the batch's error.
                    if cancelled.isStopped { return cancel() }
                    attempt += 1
                    let stopped = session.isBroken
                    if error.isLockOrTimeout && attempt <= spec.retries && !stopped {
                        sleepUntil(nanos: monotonicNanos() + min(UInt64(attempt) * 100_000_000, 1_000_000_000))
                        continue
                    }
                    // Failed after its retries: an error, and a batch whose latency counts.
                    measurement.record(batchNanos: monotonicNanos() - batchStart)
                    measurement.count(error)
                    if continueOnError && !stopped {
                        // Step over the failed batch; if even that fails, the step fails.
                        do {
                            guard let next = try keysAfter(last) else { break batches }
                            last = next
                            break
                        } catch {
                            if cancelled.isStopped { return cancel() }
                        }
                    }
                    measurement.fail(error, counted: false)
                    measurement.rowsRemaining = Backfill.remaining(spec, session: session)
                    return .stopped
                }
            }
            if cancelled.isStopped { return cancel() }
            pause()
        }
        return .finished(updated: updatedInWalk)
    }

    /// What the walks measured, with the locks their batches took.
    var finalMeasurement: StepMeasurement {
        var result = measurement
        result.exactLocks = locks.locks
        return result
    }

    /// The pause between two batches, also between two walks.
    func pause() {
        if spec.pause > .zero { sleepUntil(nanos: monotonicNanos() + spec.pause.nanoseconds) }
    }

    /// The step cut short by its timeout or an interrupt: not an error of a batch.
    mutating func cancel() -> Outcome {
        measurement.fail(asPostgres(CancellationError()), counted: false)
        return .stopped
    }

    private mutating func prepare(_ name: String) throws(PostgresError) {
        guard !prepared.contains(name) else { return }
        let first = name == "bf_first"
        try session.prepare(name, statement(first: first), parameterCount: first ? 0 : key.columns.count)
        prepared.insert(name)
    }

    /// Up to `batch_size` keys after the last one, locked, updated; the count and the
    /// batch's last key come back.
    private func statement(first: Bool) -> String {
        let keyList = key.list
        // The batch's rows by key, without a join: `set` may name the key columns
        // unqualified (`slug = 'lead-' || id`), which a join with the batch made ambiguous.
        let targetKeys = key.columns.map { "t.\(quoteIdentifier($0))" }
        let targetTuple = key.columns.count == 1 ? targetKeys[0] : "(\(targetKeys.joined(separator: ", ")))"
        let lockClause = spec.skipLocked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE"
        let after = first ? "" : " AND \(key.tuple) > \(key.parameterTuple)"
        return """
            WITH b AS (
              SELECT \(keyList) FROM \(spec.table)
              WHERE (\(spec.whereClause))\(after)
              ORDER BY \(keyList) LIMIT \(spec.batchSize)\(lockClause)
            ), u AS (
              UPDATE \(spec.table) AS t SET \(spec.set) WHERE \(targetTuple) IN (SELECT \(keyList) FROM b)
              RETURNING \(targetKeys.joined(separator: ", "))
            )
            SELECT n.count, l.* FROM (SELECT count(*) FROM u) AS n
            LEFT JOIN LATERAL (
              SELECT \(key.columns.map { "u.\(quoteIdentifier($0))::text" }.joined(separator: ", ")) FROM u
              ORDER BY \(key.columns.map { "u.\(quoteIdentifier($0)) DESC" }.joined(separator: ", ")) LIMIT 1
            ) AS l ON true
            """
    }

    /// The last key of the batch after `last`, without locking it: where the walk goes on
    /// after a batch that failed (nil when no row is left after `last`).
    private func keysAfter(_ last: [String]?) throws(PostgresError) -> [String]? {
        let after = last == nil ? "" : " AND \(key.tuple) > \(key.parameterTuple)"
        let result = try session.query(
            """
            SELECT \(key.columns.map { "b.\(quoteIdentifier($0))::text" }.joined(separator: ", "))
            FROM (SELECT \(key.list) FROM \(spec.table) WHERE (\(spec.whereClause))\(after)
                  ORDER BY \(key.list) LIMIT \(spec.batchSize)) AS b
            ORDER BY \(key.columns.map { "b.\(quoteIdentifier($0)) DESC" }.joined(separator: ", ")) LIMIT 1
            """, last ?? [])
        guard let row = result.rows.first else { return nil }
        return row.map { $0 ?? "" }
    }
}
