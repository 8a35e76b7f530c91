import Foundation
import PostgresClient

/// The `migrate` step: applies a folder of migrations in order, each one batch.
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
        var measurement = try apply(migrations, spec: spec, directory: directory, session: session, results: &results)
        measurement.migrations = results
        return measurement
    }

    private static func apply(
        _ migrations: [Migration], spec: MigrateSpec, directory: URL, session: Session, results: inout [MigrationResult]
    ) throws -> StepMeasurement {
        var measurement = StepMeasurement()
        try MigrationTracker.ensure(session)
        let applied = Set(try MigrationTracker.applied(session))
        var pending = migrations.enumerated().filter { !applied.contains($0.element.version) }
        if let to = spec.to {
            guard let last = migrations.firstIndex(where: { sameVersion($0.version, to) }) else {
                measurement.fail(message: "migrate: no migration has version \(to) in \(directory.path)")
                return measurement
            }
            pending = pending.filter { $0.offset <= last }
        }
        for (ordinal, migration) in pending {
            let file = relativePath(migration.upFile, to: directory)
            let start = monotonicNanos()
            func result(_ status: String) -> MigrationResult {
                MigrationResult(
                    version: migration.version, name: migration.name, file: file,
                    durationMs: Double(monotonicNanos() - start) / 1e6, transactional: migration.transactional, status: status)
            }
            do {
                var before: CatalogFingerprint?
                if spec.verifyDown { before = try CatalogFingerprint.take(session) }
                try up(migration, ordinal: ordinal, file: file, spec: spec, session: session)
                if spec.verifyDown, let before {
                    try verifyDown(
                        migration, before: before, file: file, spec: spec, session: session, ordinal: ordinal, measurement: &measurement)
                    if measurement.failure != nil {
                        results.append(result("failed"))
                        return measurement
                    }
                }
                measurement.record(batchNanos: monotonicNanos() - start)
                results.append(result("ok"))
            } catch {
                measurement.batches += 1
                var located = error
                if let (line, column) = error.lineAndColumn { located.message += " (at \(file):\(line):\(column))" }
                measurement.fail(located, migration: file)
                results.append(result("failed"))
                return measurement
            }
        }
        return measurement
    }

    static func timeoutSettings(_ spec: MigrateSpec, local: Bool) -> String {
        var parts: [String] = []
        let set = local ? "SET LOCAL" : "SET"
        if let t = spec.lockTimeout { parts.append("\(set) lock_timeout = '\(Int(t.milliseconds))ms'") }
        if let t = spec.statementTimeout { parts.append("\(set) statement_timeout = '\(Int(t.milliseconds))ms'") }
        return parts.joined(separator: "; ")
    }

    /// Runs one migration's up script and records it.
    static func up(_ migration: Migration, ordinal: Int, file: String, spec: MigrateSpec, session: Session) throws(PostgresError) {
        try runScript(migration.up, transactional: migration.transactional, spec: spec, session: session) { () throws(PostgresError) in
            try MigrationTracker.record(session, version: migration.version, name: migration.name, file: file, ordinal: ordinal)
        }
    }

    /// Runs a script in a transaction (with the timeouts local to it), or statement by statement.
    static func runScript(
        _ script: String, transactional: Bool, spec: MigrateSpec, session: Session,
        bookkeeping: () throws(PostgresError) -> Void
    ) throws(PostgresError) {
        if transactional {
            do {
                try session.execute("BEGIN")
                let settings = timeoutSettings(spec, local: true)
                if !settings.isEmpty { try session.execute(settings) }
                try run(script, oneStatementAtATime: false, session: session)
                try bookkeeping()
                try session.execute("COMMIT")
            } catch {
                if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                throw error
            }
        } else {
            let settings = timeoutSettings(spec, local: false)
            if !settings.isEmpty { try session.execute(settings) }
            defer { _ = try? session.execute("RESET lock_timeout; RESET statement_timeout") }
            try run(script, oneStatementAtATime: true, session: session)
            try bookkeeping()
        }
    }

    /// Runs a migration script. Most scripts go to the server as they are (one query, or
    /// statement by statement outside a transaction, where CREATE INDEX CONCURRENTLY needs
    /// it); a script with pg_dump-style `COPY … FROM stdin` data blocks streams them as psql would.
    static func run(_ script: String, oneStatementAtATime: Bool, session: Session) throws(PostgresError) {
        let hasCopyData = script.range(of: "from stdin", options: [.caseInsensitive]) != nil
        let items: [SQLScript.Item]
        if hasCopyData {
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

    private static func verifyDown(
        _ migration: Migration, before: CatalogFingerprint, file: String, spec: MigrateSpec, session: Session,
        ordinal: Int, measurement: inout StepMeasurement
    ) throws(PostgresError) {
        guard let down = migration.down else {
            measurement.fail(message: "verify_down: migration \(file) has no down script", migration: file)
            return
        }
        try runScript(down, transactional: migration.transactional, spec: spec, session: session) { () throws(PostgresError) in
            try MigrationTracker.forget(session, version: migration.version)
        }
        let after = try CatalogFingerprint.take(session)
        let differences = after.differences(from: before, snapshotName: "before \(file)")
        if !differences.isEmpty {
            let list = differences.prefix(10).map { "\($0.object) \($0.change)" }.joined(separator: "; ")
            measurement.fail(
                message: "verify_down: the down script of \(file) does not undo its up: \(list)", migration: file)
            return
        }
        try up(migration, ordinal: ordinal, file: file, spec: spec, session: session)
    }

    static func sameVersion(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let na = a.split(whereSeparator: { $0 == "." || $0 == "_" }).map { Int($0) }
        let nb = b.split(whereSeparator: { $0 == "." || $0 == "_" }).map { Int($0) }
        return !na.contains(nil) && na == nb
    }

    static func relativePath(_ url: URL, to directory: URL) -> String {
        let base = directory.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        let name = directory.lastPathComponent
        if path.hasPrefix(base + "/") { return name + "/" + path.dropFirst(base.count + 1) }
        return url.lastPathComponent
    }
}
