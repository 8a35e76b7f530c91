import Foundation
import PostgresClient

/// The `backfill` step: batched, resumable, idempotent DML. Each batch selects
/// up to `batch_size` keys matching `where` (optionally `FOR UPDATE SKIP
/// LOCKED`), updates them and commits; keys are walked in order so the step
/// always ends, and rows skipped on the way are reported as `rows_remaining`.
enum Backfill {
    static func run(_ spec: BackfillSpec, context: StepContext) async -> StepMeasurement {
        await context.withConnection { connection in
            do {
                let key = try await primaryKey(of: spec.table, on: connection)
                return try await connection.cancellable { session in
                    try runBatches(spec, key: key, session: session, memoryLimit: context.memoryLimit)
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

    static func runBatches(
        _ spec: BackfillSpec, key: PrimaryKey, session: Session, memoryLimit: Int64?
    ) throws
        -> StepMeasurement
    {
        var measurement = StepMeasurement()
        let keyList = key.columns.map(quoteIdentifier).joined(separator: ", ")
        let keyTuple = key.columns.count == 1 ? keyList : "(\(keyList))"
        let lastTuple =
            key.columns.count == 1
            ? "$1::\(key.types[0])"
            : "(" + key.types.indices.map { "$\($0 + 1)::\(key.types[$0])" }.joined(separator: ", ") + ")"
        let batchKeys = key.columns.map { "b.\(quoteIdentifier($0))" }
        let match = key.columns.map { "t.\(quoteIdentifier($0)) = b.\(quoteIdentifier($0))" }.joined(separator: " AND ")
        let lockClause = spec.skipLocked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE"
        func statement(first: Bool) -> String {
            let after = first ? "" : " AND \(keyTuple) > \(lastTuple)"
            return """
                WITH b AS (
                  SELECT \(keyList) FROM \(spec.table)
                  WHERE (\(spec.whereClause))\(after)
                  ORDER BY \(keyList) LIMIT \(spec.batchSize)\(lockClause)
                ), u AS (
                  UPDATE \(spec.table) AS t SET \(spec.set) FROM b WHERE \(match)
                  RETURNING \(batchKeys.joined(separator: ", "))
                )
                SELECT count(*), \(key.columns.map { "max(\(quoteIdentifier($0)))::text" }.joined(separator: ", ")) FROM u
                """
        }
        var settings: [String] = []
        if let t = spec.lockTimeout { settings.append("SET lock_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.statementTimeout { settings.append("SET statement_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.idleInTransactionTimeout {
            settings.append("SET idle_in_transaction_session_timeout = '\(Int(t.milliseconds))ms'")
        }
        if !settings.isEmpty { try session.execute(settings.joined(separator: "; ")) }
        try session.prepare("bf_first", statement(first: true), parameterCount: 0)
        try session.prepare("bf_next", statement(first: false), parameterCount: key.columns.count)

        var last: [String]?
        let params = ParameterBuffer(capacity: key.columns.count)
        batches: while true {
            var attempt = 0
            while true {
                let start = monotonicNanos()
                do {
                    params.removeAll()
                    if let last { for v in last { params.append(v) } }
                    try session.execute("BEGIN")
                    let result = try session.queryPrepared(last == nil ? "bf_first" : "bf_next", params)
                    try session.execute("COMMIT")
                    let updated = Int(result.scalar ?? "0") ?? 0
                    measurement.record(batchNanos: monotonicNanos() - start, rows: updated)
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
                    measurement.count(error)
                    measurement.batches += 1
                    attempt += 1
                    if error.isLockOrTimeout && attempt <= spec.retries && !session.isBroken {
                        sleepUntil(nanos: monotonicNanos() + min(UInt64(attempt) * 100_000_000, 1_000_000_000))
                        continue
                    }
                    measurement.fail(error)
                    measurement.rowsRemaining = remaining(spec, session: session)
                    return measurement
                }
            }
            if spec.pause > .zero { sleepUntil(nanos: monotonicNanos() + spec.pause.nanoseconds) }
        }
        measurement.rowsRemaining = remaining(spec, session: session)
        return measurement
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
