import Foundation
import PostgresClient
import RehearseScenario

/// The `backfill` step: batched, resumable, idempotent DML. Each batch selects
/// up to `batch_size` keys matching `where` (optionally `FOR UPDATE SKIP
/// LOCKED`), updates them and commits; keys are walked in order so a walk
/// always ends. Rows a walk skipped are walked over again (see `runBatches`);
/// what no walk could update is reported as `rows_remaining`.
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

    /// Runs the batches: a walk over the key, then, with `skip_locked`, walks again over
    /// what still matches `where` (rows skipped while another session held them) until
    /// one updates nothing, or no longer lessens the rows left (a `set` that leaves its
    /// rows matching `where` would otherwise go round for ever). `rows_remaining` is then
    /// only what could not be updated at all. Without `skip_locked` no row is skipped:
    /// a batch waits for its rows, and one that fails after its retries is an error whose
    /// rows stay. The rows left are counted once per walk, after it: a table finished by
    /// the first walk costs one count, as it did before there were passes.
    static func runBatches(
        _ spec: BackfillSpec, key: PrimaryKey, session: Session, memoryLimit: Int64?, continueOnError: Bool = false,
        cancelled: StopSignal = StopSignal()
    ) throws
        -> StepMeasurement
    {
        var walk = BackfillWalk(
            spec: spec, key: key, session: session, memoryLimit: memoryLimit, continueOnError: continueOnError,
            cancelled: cancelled, locks: ExactLockRecorder())
        var leftBefore: Int?
        while true {
            try walk.applySettings()
            guard case .finished(let updated) = walk.walk() else { return walk.finalMeasurement }
            let left = remaining(spec, session: session)
            guard spec.skipLocked, updated > 0, let left, left > 0, left < leftBefore ?? .max else {
                walk.measurement.rowsRemaining = left
                return walk.finalMeasurement
            }
            leftBefore = left
            // A cancel while counting is seen by the next walk's first batch; no pause before it.
            if !cancelled.isStopped { walk.pause() }
        }
    }

    static func remaining(_ spec: BackfillSpec, session: Session) -> Int? {
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
