import Foundation
import PostgresClient

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
        var measurement = StepMeasurement()
        for item in items {
            let start = monotonicNanos()
            do {
                switch item {
                case .statements(let text, let firstLine):
                    do {
                        let results = try session.execute(text)
                        measurement.record(batchNanos: monotonicNanos() - start, rows: results.reduce(0) { $0 + $1.affectedRows })
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
}
