import Foundation
import PostgresClient
import RehearseScenario
import RehearseResults
import RehearseSQL

/// `verify_down`: checks, right after each migration's up, that its down
/// brings the schema back to what it was before the up. With `first` (or
/// `true`) the step stops at the first down that does not; with `all` it
/// carries on from the state after each up and fails at the end listing
/// every such down.
struct DownVerifier {
    let spec: MigrateSpec
    let directory: URL
    /// The downs that failed so far: file, result.
    private(set) var failures: [(file: String, result: VerifyDownResult)] = []
    /// Checking cannot go on: `first` after a failure, or a down run for real
    /// that left the database in a state the next up cannot start from.
    private(set) var mustStop = false

    init(spec: MigrateSpec, directory: URL) {
        self.spec = spec
        self.directory = directory
    }

    /// Checks one migration whose up has just run; the database is left as the up left it.
    mutating func verify(
        _ migration: Migration, ordinal: Int, before: CatalogFingerprint, session: Session
    ) throws(PostgresError) -> VerifyDownResult {
        let upFile = Migrate.relativePath(migration.upFile, to: directory)
        guard let down = migration.down, let downURL = migration.downFile else {
            return record(VerifyDownResult(status: .noDown, differences: [], file: nil, error: nil), file: upFile)
        }
        let downFile = Migrate.relativePath(downURL, to: directory)
        var result = VerifyDownResult(status: .passed, differences: [], file: downFile, error: nil)
        if spec.verifyDown == .all && Self.canRollBack(down) {
            // The down inside a transaction that is rolled back: the state after the up stays.
            try session.execute("BEGIN")
            do {
                let settings = Migrate.timeoutSettings(spec, local: true)
                if !settings.isEmpty { try session.execute(settings) }
                try Migrate.run(down, oneStatementAtATime: false, session: session)
                result.differences = try CatalogFingerprint.take(session).differences(from: before, snapshotName: "before \(upFile)")
            } catch {
                result.error = Self.located(error, in: downFile)
            }
            try session.execute("ROLLBACK")
        } else {
            do {
                try Migrate.down(migration, spec: spec, session: session)
            } catch {
                result.error = Self.located(error, in: downFile)
                mustStop = true  // a down that stopped half way: no state to carry on from
                return record(result, file: downFile)
            }
            result.differences = try CatalogFingerprint.take(session).differences(from: before, snapshotName: "before \(upFile)")
            if result.differences.isEmpty || spec.verifyDown == .all {
                do { try Migrate.up(migration, ordinal: ordinal, file: upFile, spec: spec, session: session) } catch {
                    mustStop = true
                    throw error
                }
            }
        }
        if result.error == nil && result.differences.isEmpty { return result }
        return record(result, file: downFile)
    }

    private mutating func record(_ failed: VerifyDownResult, file: String) -> VerifyDownResult {
        var failed = failed
        if failed.status == .passed { failed.status = .failed }
        failures.append((file, failed))
        if spec.verifyDown == .first { mustStop = true }
        return failed
    }

    /// Fails the step naming every down that did not undo its up, the list cut with how many more.
    func fail(_ measurement: inout StepMeasurement) {
        guard let first = failures.first else { return }
        let shown = failures.prefix(Self.listed).map { file, result in Self.describe(result, file: file) }
        var message =
            failures.count == 1
            ? "verify_down: \(shown[0])"
            : "verify_down: \(failures.count) migrations are not undone by their down: " + shown.joined(separator: "; ")
        if failures.count > Self.listed { message += "; and \(failures.count - Self.listed) more" }
        measurement.fail(message: message, sqlstate: first.result.error?.sqlstate, migration: first.file)
    }

    static let listed = 5

    private static func describe(_ result: VerifyDownResult, file: String) -> String {
        if result.status == .noDown { return "migration \(file) has no down script" }
        if let error = result.error { return "the down script \(file) failed: \(error.message)" }
        let shown = result.differences.prefix(10).map { "\($0.object) \($0.change)" }.joined(separator: ", ")
        let more = result.differences.count > 10 ? ", and \(result.differences.count - 10) more" : ""
        return "the down script \(file) does not undo its up: \(shown)\(more)"
    }

    /// Whether a down can run in a transaction that is then rolled back: none of
    /// its statements refuses a transaction block or opens or ends one itself.
    static func canRollBack(_ script: String) -> Bool {
        !SQLScript.statements(script).contains {
            MigrationTransaction.refusesTransactionBlock($0.text) || MigrationTransaction.controlsTransaction($0.text)
        }
    }

    private static func located(_ error: PostgresError, in file: String) -> ErrorInfo {
        var message = error.message
        if let (line, column) = error.lineAndColumn { message += " (at \(file):\(line):\(column))" }
        return ErrorInfo(sqlstate: error.sqlstate, message: message, migration: file, detail: error.detail, hint: error.hint)
    }
}
