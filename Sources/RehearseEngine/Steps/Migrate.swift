import Foundation
import PostgresClient
import RehearseScenario
import RehearseResults
import RehearseSQL
import RehearseSupport

/// The `migrate` step: applies a folder of migrations in order, each one batch,
/// each file sent to the server the way its layout's tool sends it.
enum Migrate {
    static func run(_ spec: MigrateSpec, context: StepContext) async -> StepMeasurement {
        var measurement = StepMeasurement()
        let migrations: [Migration]
        do {
            migrations = try MigrationLoader.load(dir: spec.dir).1
        } catch {
            measurement.fail(message: "\(error)")
            return measurement
        }
        let directory = spec.dir
        return await context.withConnection { connection in
            do {
                return try await connection.cancellable { session in
                    try apply(migrations, spec: spec, directory: directory, session: session)
                }
            } catch {
                var measurement = StepMeasurement()
                measurement.fail(asPostgres(error))
                return measurement
            }
        }
    }

    static func apply(
        _ migrations: [Migration], spec: MigrateSpec, directory: URL, session: Session
    ) throws
        -> StepMeasurement
    {
        var results: [MigrationResult] = []
        let locks = ExactLockRecorder()
        var measurement = try apply(
            migrations, spec: spec, directory: directory, session: session, locks: locks, results: &results)
        measurement.migrations = results
        measurement.exactLocks = locks.locks
        return measurement
    }

    private static func apply(
        _ migrations: [Migration], spec: MigrateSpec, directory: URL, session: Session, locks: ExactLockRecorder,
        results: inout [MigrationResult]
    ) throws -> StepMeasurement {
        var measurement = StepMeasurement()
        if !spec.mixed, spec.transaction == nil, let problem = MigrationPlan.refusedMix(in: migrations) {
            measurement.fail(message: "migrate: \(problem)")
            return measurement
        }
        try MigrationTracker.ensure(session)
        let applied = Set(try MigrationTracker.applied(session))
        guard let pending = MigrationPlan.pending(migrations, applied: applied, to: spec.to) else {
            measurement.fail(message: "migrate: no migration has version \(spec.to ?? "") in \(directory.path)")
            return measurement
        }
        var verifier = DownVerifier(spec: spec, directory: directory)
        for (ordinal, migration) in pending {
            let file = relativePath(migration.upFile, to: directory)
            let start = monotonicNanos()
            let transaction = migration.upTransaction.overridden(by: spec.transaction, mixedAllowed: spec.mixed)
            var result = MigrationResult(
                version: migration.version, name: migration.name, file: file, durationMs: 0,
                transactional: transaction.isTransactional(migration.up), status: .ok)
            defer { results.append(result) }
            do {
                let before = spec.verifyDown == .off ? nil : try CatalogFingerprint.take(session)
                try up(migration, ordinal: ordinal, file: file, spec: spec, session: session, locks: locks)
                if let before {
                    result.verifyDown = try verifier.verify(migration, ordinal: ordinal, before: before, session: session)
                    if result.verifyDown?.status != .passed { result.status = .failed }
                }
                result.durationMs = Double(monotonicNanos() - start) / 1e6
                measurement.record(batchNanos: monotonicNanos() - start)
                if verifier.mustStop {
                    verifier.fail(&measurement)
                    return measurement
                }
            } catch {
                measurement.batches += 1
                var located = error
                if let (line, column) = error.lineAndColumn { located.message += " (at \(file):\(line):\(column))" }
                measurement.fail(located, migration: file)
                result.status = .failed
                result.durationMs = Double(monotonicNanos() - start) / 1e6
                return measurement
            }
        }
        verifier.fail(&measurement)
        return measurement
    }

    static func timeoutSettings(_ spec: MigrateSpec, local: Bool) -> String {
        var parts: [String] = []
        let set = local ? "SET LOCAL" : "SET"
        if let t = spec.lockTimeout { parts.append("\(set) lock_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.statementTimeout { parts.append("\(set) statement_timeout = '\(Int(t.milliseconds))ms'") }
        return parts.joined(separator: "; ")
    }

    /// Runs one migration's up script and records it; `locks` reads the locks its statements take.
    static func up(
        _ migration: Migration, ordinal: Int, file: String, spec: MigrateSpec, session: Session, locks: ExactLockRecorder? = nil
    ) throws(PostgresError) {
        let transaction = migration.upTransaction.overridden(by: spec.transaction, mixedAllowed: spec.mixed)
        try runScript(migration.up, transaction: transaction, spec: spec, session: session, file: file, locks: locks) {
            () throws(PostgresError) in
            try MigrationTracker.record(session, version: migration.version, name: migration.name, file: file, ordinal: ordinal)
        }
    }

    /// Runs one migration's down script (which must exist) and forgets it.
    static func down(_ migration: Migration, spec: MigrateSpec, session: Session) throws(PostgresError) {
        let transaction = migration.downTransaction.overridden(by: spec.transaction, mixedAllowed: spec.mixed)
        try runScript(migration.down ?? "", transaction: transaction, spec: spec, session: session) { () throws(PostgresError) in
            try MigrationTracker.forget(session, version: migration.version)
        }
    }

    /// Runs a script as `transaction` says, the timeouts applying to it alone,
    /// then the bookkeeping (inside the transaction when there is one). With
    /// `locks`, statements that run in a transaction run one by one inside it,
    /// their locks read after each (`file` names them).
    static func runScript(
        _ script: String, transaction: MigrationTransaction, spec: MigrateSpec, session: Session, file: String = "",
        locks: ExactLockRecorder? = nil, bookkeeping: () throws(PostgresError) -> Void
    ) throws(PostgresError) {
        let statements = locks == nil || hasCopyData(script) ? nil : SQLScript.statements(script)
        var transaction = transaction
        // golang-migrate's one query is PostgreSQL's implicit transaction; the same
        // statements one by one in an explicit one end alike, and show their locks.
        if transaction == .singleQuery, let statements, ExactLockRecorder.canRunOneByOne(statements) {
            transaction = .wrapped
        }
        switch transaction {
        case .wrapped:
            do {
                try session.execute("BEGIN")
                let settings = timeoutSettings(spec, local: true)
                if !settings.isEmpty { try session.execute(settings) }
                if let locks, let statements {
                    try locks.run(statements, file: file, session: session)
                } else {
                    try run(script, oneStatementAtATime: false, session: session)
                }
                try bookkeeping()
                try session.execute("COMMIT")
                locks?.transactionEnded()
            } catch {
                if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                locks?.transactionEnded()
                throw error
            }
        case .singleQuery, .none, .mixed:
            let settings = timeoutSettings(spec, local: false)
            if !settings.isEmpty { try session.execute(settings) }
            defer { _ = try? session.execute("RESET lock_timeout; RESET statement_timeout") }
            do {
                try run(script, oneStatementAtATime: transaction != .singleQuery, session: session)
            } catch {
                // A file's own BEGIN, failed before its COMMIT.
                if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                throw error
            }
            try bookkeeping()
        }
    }

    /// Runs a migration script. Most scripts go to the server as they are (one query, or
    /// statement by statement outside a transaction, where CREATE INDEX CONCURRENTLY needs
    /// it); a script with pg_dump-style `COPY … FROM stdin` data blocks streams them as psql would.
    static func run(_ script: String, oneStatementAtATime: Bool, session: Session) throws(PostgresError) {
        let items: [SQLScript.Item]
        if hasCopyData(script) {
            do { items = try SQLScript.parse(script) } catch {
                throw PostgresError(kind: .client, message: "\(error.line):\(error.column): \(error.message)")
            }
        } else {
            items = [.statements(text: script, firstLine: 1)]
        }
        for item in items {
            switch item {
            case .statements(let text, _):
                if oneStatementAtATime {
                    for statement in SQLScript.statements(text) { try session.execute(statement.text) }
                } else {
                    try session.execute(text)
                }
            case .copyFromStdin(let statement, let data, _, _):
                do {
                    try session.copyIn(statement) { writer in
                        var bytes = Array(data.utf8)
                        if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
                        try writer.write(bytes)
                    }
                } catch let error as PostgresError {
                    throw error
                } catch {
                    throw PostgresError(kind: .client, message: "\(error)")
                }
            }
        }
    }

    /// Whether the script may hold pg_dump-style `COPY … FROM stdin` data.
    static func hasCopyData(_ script: String) -> Bool {
        script.range(of: "from stdin", options: [.caseInsensitive]) != nil
    }

    /// A migration file as messages name it: `migrations/V2__add.sql`.
    static func relativePath(_ url: URL, to directory: URL) -> String {
        url.path(inside: directory).map { directory.lastPathComponent + "/" + $0 } ?? url.lastPathComponent
    }
}
