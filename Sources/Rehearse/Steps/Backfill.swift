import Foundation
import PostgresClient

/// The `backfill` step: batched, resumable, idempotent DML. Each batch selects
/// up to `batch_size` keys matching `where` (optionally `FOR UPDATE SKIP
/// LOCKED`), updates them and commits; keys are walked in order so the step
/// always ends, and rows skipped on the way are reported as `rows_remaining`.
enum Backfill {
    static func run(_ spec: BackfillSpec, context: StepContext) async -> StepMeasurement {
        await context.withConnection { connection in
            // A step timeout or an interrupt cancels the running statement (57014, as a
            // statement_timeout does); this says it was not a timeout to retry.
            let cancelled = StopSignal()
            do {
                let key = try await primaryKey(of: spec.table, on: connection)
                return try await withTaskCancellationHandler {
                    // Cancelled again every 50 ms until the batches stop: one cancel that
                    // lands between two statements hits nothing.
                    try await connection.cancellable(repeating: true) { session in
                        try runBatches(
                            spec, key: key, session: session, memoryLimit: context.memoryLimit,
                            continueOnError: context.step.onError == .continue, cancelled: cancelled)
                    }
                } onCancel: {
                    cancelled.abandon()
                }
            } catch {
                var measurement = StepMeasurement()
                measurement.fail(asPostgres(error))
                return measurement
            }
        }
    }

    struct PrimaryKey: Sendable {
        var columns: [String]
        var types: [String]

        /// `"a", "b"`: the key columns, for SELECT lists and ORDER BY.
        var list: String { columns.map(quoteIdentifier).joined(separator: ", ") }
        /// The key as one value to compare: `"a"` or `("a", "b")`.
        var tuple: String { columns.count == 1 ? list : "(\(list))" }
        /// The last key seen, bound as parameters: `$1::int` or `($1::int, $2::text)`.
        var parameterTuple: String {
            let values = types.indices.map { "$\($0 + 1)::\(types[$0])" }
            return values.count == 1 ? values[0] : "(\(values.joined(separator: ", ")))"
        }
    }

    static func primaryKey(of table: String, on connection: Connection) async throws -> PrimaryKey {
        let result = try await connection.query(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = to_regclass($1) AND i.indisprimary
            ORDER BY array_position(i.indkey, a.attnum)
            """, [table])
        let exists = try await connection.query("SELECT to_regclass($1) IS NOT NULL", [table]).scalar == "t"
        guard exists else {
            throw PostgresError(kind: .client, sqlstate: "42P01", message: "backfill: table \(table) does not exist")
        }
        guard !result.rows.isEmpty else {
            throw PostgresError(
                kind: .client,
                message:
                    "backfill: table \(table) has no primary key; a backfill walks the table by its primary key, so add one (or backfill through a `sql` step)"
            )
        }
        return PrimaryKey(columns: result.rows.map { $0[0] ?? "" }, types: result.rows.map { $0[1] ?? "text" })
    }

    /// Runs the batches. A batch is retried on lock and timeout errors (`retries`); one
    /// that fails after its retries counts as an error, with its latency from its first
    /// attempt, and fails the step, or with `on_error: continue` is stepped over (its rows
    /// stay, and show in `rows_remaining`). A retried attempt is not an error.
    static func runBatches(
        _ spec: BackfillSpec, key: PrimaryKey, session: Session, memoryLimit: Int64?, continueOnError: Bool = false,
        cancelled: StopSignal = StopSignal()
    ) throws
        -> StepMeasurement
    {
        let locks = ExactLockRecorder()
        var measurement = try runBatches(
            spec, key: key, session: session, memoryLimit: memoryLimit, continueOnError: continueOnError,
            cancelled: cancelled, locks: locks)
        measurement.exactLocks = locks.locks
        return measurement
    }

    /// The batches, each in its own transaction whose locks `locks` reads before it commits.
    private static func runBatches(
        _ spec: BackfillSpec, key: PrimaryKey, session: Session, memoryLimit: Int64?, continueOnError: Bool,
        cancelled: StopSignal, locks: ExactLockRecorder
    ) throws
        -> StepMeasurement
    {
        var measurement = StepMeasurement()
        let keyList = key.list
        // The batch's rows by key, without a join: `set` may name the key columns
        // unqualified (`slug = 'lead-' || id`), which a join with the batch made ambiguous.
        let targetKeys = key.columns.map { "t.\(quoteIdentifier($0))" }
        let targetTuple = key.columns.count == 1 ? targetKeys[0] : "(\(targetKeys.joined(separator: ", ")))"
        let lockClause = spec.skipLocked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE"
        func statement(first: Bool) -> String {
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
        var settings: [String] = []
        if let t = spec.lockTimeout { settings.append("SET lock_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.statementTimeout { settings.append("SET statement_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.idleInTransactionTimeout {
            settings.append("SET idle_in_transaction_session_timeout = '\(Int(t.milliseconds))ms'")
        }
        if !settings.isEmpty { try session.execute(settings.joined(separator: "; ")) }
        // Prepared inside the retry loop: preparing an UPDATE takes a lock on the table,
        // and a lock fault may hold it from the step's first moment.
        var prepared: Set<String> = []
        func prepare(_ name: String) throws(PostgresError) {
            guard !prepared.contains(name) else { return }
            try session.prepare(name, statement(first: name == "bf_first"), parameterCount: name == "bf_first" ? 0 : key.columns.count)
            prepared.insert(name)
        }

        var last: [String]?
        let params = ParameterBuffer(capacity: key.columns.count)
        batches: while true {
            var attempt = 0
            let batchStart = monotonicNanos()
            while true {
                // A cancel that came while this session was idle (in a pause or a backoff) hit nothing.
                if cancelled.isStopped { return canceled(measurement) }
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
                    measurement.record(batchNanos: monotonicNanos() - batchStart - (locks.overheadNanos - overhead), rows: updated)
                    if updated == 0 { break batches }
                    last = Array(result.rows[0].dropFirst()).map { $0 ?? "" }
                    if let limit = memoryLimit, let used = ClientMemory.allocatedBytes(), used > limit {
                        measurement.fail(
                            message: "client memory \(used) bytes passed the step's memory_cap of \(limit) bytes",
                            sqlstate: "53200")
                        return measurement
                    }
                    break
                } catch {
                    if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                    locks.transactionEnded()
                    // Cut short by the step's timeout or an interrupt: not the batch's error.
                    if cancelled.isStopped { return canceled(measurement) }
                    attempt += 1
                    let stopped = cancelled.isStopped || session.isBroken
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
                            guard let next = try keysAfter(last, spec, key: key, session: session) else { break batches }
                            last = next
                            break
                        } catch {
                            if cancelled.isStopped { return canceled(measurement) }
                        }
                    }
                    measurement.fail(error, counted: false)
                    measurement.rowsRemaining = remaining(spec, session: session)
                    return measurement
                }
            }
            if cancelled.isStopped { return canceled(measurement) }
            if spec.pause > .zero { sleepUntil(nanos: monotonicNanos() + spec.pause.nanoseconds) }
        }
        measurement.rowsRemaining = remaining(spec, session: session)
        return measurement
    }

    /// The step cut short by its timeout or an interrupt: not an error of a batch.
    private static func canceled(_ measurement: StepMeasurement) -> StepMeasurement {
        var m = measurement
        m.fail(asPostgres(CancellationError()), counted: false)
        return m
    }

    /// The last key of the batch after `last`, without locking it: where the walk goes on
    /// after a batch that failed (nil when no row is left after `last`).
    private static func keysAfter(
        _ last: [String]?, _ spec: BackfillSpec, key: PrimaryKey, session: Session
    )
        throws(PostgresError) -> [String]?
    {
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

    private static func remaining(_ spec: BackfillSpec, session: Session) -> Int? {
        _ = try? session.execute("RESET statement_timeout; RESET lock_timeout")
        return (try? session.query("SELECT count(*) FROM \(spec.table) WHERE (\(spec.whereClause))"))
            .flatMap { $0.scalar }.flatMap { Int($0) }
    }
}

func asPostgres(_ error: any Error) -> PostgresError {
    if let error = error as? PostgresError { return error }
    if error is CancellationError {
        return PostgresError(
            kind: .client, sqlstate: "57014", message: "canceled: the step ran past its timeout or the run was interrupted")
    }
    return PostgresError(kind: .client, message: "\(error)")
}
