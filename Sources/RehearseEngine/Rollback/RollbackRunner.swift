import Foundation
import PostgresClient
import RehearseScenario
import RehearseResults
import RehearseSQL
import RehearseSupport

/// Rehearses the rollback (down scripts or a restore of a snapshot copy) and
/// proves it: schema, data and checks compared with the snapshot.
struct RollbackRunner: Sendable {
    let scenario: Scenario
    let host: any DatabaseHost
    let database: String
    let snapshots: SnapshotStore

    struct Outcome: Sendable {
        var result: RollbackResult
        var checkResults: [CheckResult]
    }

    func run(_ plan: Rollback) async -> Outcome {
        let start = monotonicNanos()
        var result = RollbackResult(status: .failed, durationMs: nil, error: nil, differences: [], via: plan.via.rawValue)
        var checks: [CheckResult] = []
        let snapshot = plan.to.flatMap { snapshots.get($0) }
        if let to = plan.to, snapshot == nil {
            result.error = ErrorInfo(sqlstate: nil, message: "snapshot \(to) was never taken (its step did not run)")
            return Outcome(result: result, checkResults: [])
        }
        do {
            switch plan.via {
            case .down: try await runDownScripts(snapshot: snapshot)
            case .restore: try await restore(snapshot: snapshot)
            }
        } catch let failure as RollbackFailure {
            result.error = failure.info
            result.durationMs = Double(monotonicNanos() - start) / 1e6
            return Outcome(result: result, checkResults: [])
        } catch {
            result.error = ErrorInfo(sqlstate: asPostgres(error).sqlstate, message: asPostgres(error).message)
            result.durationMs = Double(monotonicNanos() - start) / 1e6
            return Outcome(result: result, checkResults: [])
        }
        result.durationMs = Double(monotonicNanos() - start) / 1e6
        if Task.isCancelled {
            result.error = ErrorInfo(sqlstate: "57014", message: "canceled before the rollback was verified")
            return Outcome(result: result, checkResults: [])
        }
        do {
            let connection = try await Connection.connect(host.conninfo(database: database), label: "rehearse-verify")
            if let snapshot {
                let (fingerprint, data) = try await connection.cancellable { session in
                    (try CatalogFingerprint.take(session), try DataChecksum.take(session))
                }
                if plan.verify.contains(.schema) {
                    result.differences += fingerprint.differences(from: snapshot.fingerprint, snapshotName: snapshot.name)
                }
                if plan.verify.contains(.data) {
                    result.differences += data.differences(from: snapshot.data, snapshotName: snapshot.name)
                }
            }
            if plan.verify.contains(.checks) {
                let wanted = scenario.checks.filter { plan.checks?.contains($0.name) ?? true }
                checks = await CheckRunner.run(wanted, on: connection, phase: "rollback")
            }
            await connection.close()
        } catch {
            result.error = ErrorInfo(sqlstate: asPostgres(error).sqlstate, message: "verifying the rollback: \(asPostgres(error).message)")
            return Outcome(result: result, checkResults: checks)
        }
        result.status = result.differences.isEmpty && checks.allSatisfy(\.passed) ? .passed : .failed
        return Outcome(result: result, checkResults: checks)
    }

    struct RollbackFailure: Error {
        var info: ErrorInfo
    }

    /// Runs the down scripts of the migrations applied since the snapshot, newest first.
    private func runDownScripts(snapshot: Snapshot?) async throws {
        var found: [String: (Migration, MigrateSpec)] = [:]
        for step in scenario.steps {
            guard case .migrate(let spec) = step.kind else { continue }
            do {
                for migration in try MigrationLoader.load(dir: spec.dir).1 { found[migration.version] = (migration, spec) }
            } catch {
                throw RollbackFailure(info: ErrorInfo(sqlstate: nil, message: "\(error)"))
            }
        }
        let keep = Set(snapshot?.appliedMigrations ?? [])
        let known = found
        let outcome: ErrorInfo? = try await Connection.with(host.conninfo(database: database), label: "rehearse-rollback") { connection in
            // A timeout or an interrupt cancels the down script running on the server; the
            // cancel repeats, so one landing between two statements is not lost.
            try await connection.cancellable(repeating: true) { session in
                let applied = try MigrationTracker.applied(session)
                for version in applied.reversed() where !keep.contains(version) {
                    guard let (migration, spec) = known[version] else {
                        return ErrorInfo(
                            sqlstate: nil, message: "migration \(version) was applied but is not in any migrate folder", migration: version)
                    }
                    // Flyway's undo leaves repeatable migrations as they are.
                    if migration.repeatable { continue }
                    let file = Migrate.relativePath(migration.downFile ?? migration.upFile, to: spec.dir)
                    guard migration.down != nil else {
                        return ErrorInfo(
                            sqlstate: nil, message: "migration \(Migrate.relativePath(migration.upFile, to: spec.dir)) has no down script",
                            migration: file)
                    }
                    do {
                        try Migrate.down(migration, spec: spec, session: session)
                    } catch {
                        let error = asPostgres(error)
                        var message = error.message
                        if let (line, column) = error.lineAndColumn { message += " (at \(file):\(line):\(column))" }
                        return ErrorInfo(
                            sqlstate: error.sqlstate, message: message, migration: file, detail: error.detail, hint: error.hint)
                    }
                }
                return nil
            }
        }
        if let outcome { throw RollbackFailure(info: outcome) }
    }

    /// Switches the repetition's database back to the snapshot's copy.
    private func restore(snapshot: Snapshot?) async throws {
        guard let snapshot, let copy = snapshot.copyDatabase else {
            throw RollbackFailure(info: ErrorInfo(sqlstate: nil, message: "restore needs `to:` naming a snapshot step that ran"))
        }
        try await host.dropDatabase(database)
        try await host.withAdmin { admin in
            _ = try await admin.execute("ALTER DATABASE \(quoteIdentifier(copy)) RENAME TO \(quoteIdentifier(database))")
        }
    }
}
