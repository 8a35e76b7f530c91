import Foundation
import PostgresClient
import RehearseScenario
import RehearseSQL
import RehearseSupport

/// The `sql` step: a script run with the simple query protocol; files in
/// pg_dump's plain format load as psql loads them (COPY data blocks streamed).
enum SQLStep {
    static func run(_ source: SQLSource, context: StepContext) async -> StepMeasurement {
        var measurement = StepMeasurement()
        let label: String
        let text: String
        do {
            text = try context.resolve(source)
            if case .file(let url) = source { label = url.lastPathComponent } else { label = "\(context.step.name) sql" }
        } catch {
            measurement.fail(asPostgres(error))
            return measurement
        }
        let items: [SQLScript.Item]
        do {
            items = try SQLScript.parse(text)
        } catch {
            measurement.fail(message: "\(label):\(error.line):\(error.column): \(error.message)")
            return measurement
        }
        return await context.withConnection { connection in
            do {
                return try await connection.cancellable { session in
                    run(items, label: label, session: session)
                }
            } catch {
                var measurement = StepMeasurement()
                measurement.fail(asPostgres(error))
                return measurement
            }
        }
    }

    static func run(_ items: [SQLScript.Item], label: String, session: Session) -> StepMeasurement {
        let locks = ExactLockRecorder()
        var measurement = run(items, label: label, session: session, locks: locks)
        measurement.exactLocks = locks.locks
        return measurement
    }

    private static func run(
        _ items: [SQLScript.Item], label: String, session: Session, locks: ExactLockRecorder
    ) -> StepMeasurement {
        var measurement = StepMeasurement()
        for item in items {
            let start = monotonicNanos()
            do {
                switch item {
                case .statements(let text, let firstLine):
                    do {
                        let overhead = locks.overheadNanos
                        let rows = try execute(text, firstLine: firstLine, label: label, session: session, locks: locks)
                        measurement.record(batchNanos: monotonicNanos() - start - (locks.overheadNanos - overhead), rows: rows)
                    } catch {
                        var located = error
                        if let (line, column) = error.lineAndColumn {
                            located.message += " (at \(label):\(firstLine + line - 1):\(column))"
                        }
                        throw located
                    }
                case .copyFromStdin(let statement, let data, let line, _):
                    do {
                        let result = try session.copyIn(statement) { writer in
                            var bytes = Array(data.utf8)
                            if bytes.last != UInt8(ascii: "\n") && !bytes.isEmpty { bytes.append(UInt8(ascii: "\n")) }
                            try writer.write(bytes)
                        }
                        measurement.record(batchNanos: monotonicNanos() - start, rows: result.affectedRows)
                    } catch let error as PostgresError {
                        var located = error
                        located.message += " (in the COPY data block that starts at \(label):\(line))"
                        throw located
                    }
                }
            } catch let error as PostgresError {
                measurement.batches += 1
                measurement.fail(error)
                return measurement
            } catch {
                measurement.fail(message: "\(error)")
                return measurement
            }
        }
        return measurement
    }

    /// Runs a run of statements as one query would: one implicit transaction. When
    /// none of them opens, ends or refuses a transaction, they run one by one in an
    /// explicit one instead, which ends alike and shows the locks each takes.
    private static func execute(
        _ text: String, firstLine: Int, label: String, session: Session, locks: ExactLockRecorder
    ) throws(PostgresError) -> Int {
        let statements = SQLScript.statements(text)
        guard session.transactionState == .idle, ExactLockRecorder.canRunOneByOne(statements) else {
            return try session.execute(text).reduce(0) { $0 + $1.affectedRows }
        }
        do {
            try session.execute("BEGIN")
            let rows = try locks.run(statements, file: label, lineOffset: firstLine - 1, session: session)
            try session.execute("COMMIT")
            locks.transactionEnded()
            return rows
        } catch {
            if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
            locks.transactionEnded()
            throw error
        }
    }
}
