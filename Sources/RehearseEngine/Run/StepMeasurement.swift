import Foundation
import PostgresClient
import RehearseHistogram
import RehearseResults
import RehearseScenario
import RehearseSupport

/// What one step measured while it ran; the runner turns it into a `StepResult`.
struct StepMeasurement: Sendable {
    var latency = LatencyHistogram()
    var batches = 0
    var rows = 0
    var rowsSkipped: Int?
    var rowsRemaining: Int?
    var errors: [String: Int] = [:]
    /// Set when the step failed.
    var failure: ErrorInfo?
    var clientMemoryPeak: Int64?
    var workload: WorkloadMeasurement?
    var migrations: [MigrationResult]?
    /// Locks read from the step's own transactions after each statement (`ExactLockRecorder`).
    var exactLocks: [LockTaken] = []
    var exitCode: Int?
    var output: String?
    var skippedRows: [String]?
    /// A `synthesize` step's tables.
    var synthesized: [String: SynthesizedTable]?
    /// Rows a `missing_seed` fault left out, by table.
    var missingSeed: [String: MissingSeedObservation] = [:]
    /// The step's `memory_cap`: how it was enforced, or why it was not.
    var memoryCap: MemoryCapOutcome?
    /// Why the step could not run as the scenario asks (a required memory cap that cannot
    /// be enforced): the run ends as an infrastructure error (exit 3).
    var infrastructureFailure: String?
    /// A load slice's workload: when its lanes started (this machine's clock), or that
    /// slice 1 skipped it (a step before it failed).
    var wallStart: Date?
    /// The same moment on the monotonic clock (a slice's step starts there, not where it began to wait).
    var sliceStart: UInt64?
    var skippedBySlices = false

    mutating func record(batchNanos: UInt64, rows: Int = 0) {
        latency.record(nanoseconds: batchNanos)
        batches += 1
        self.rows += rows
    }

    mutating func count(_ error: PostgresError) {
        errors[error.sqlstate ?? "client", default: 0] += 1
    }

    /// `counted: false` when the error is already among `errors` (a workload's failed transactions).
    mutating func fail(_ error: PostgresError, migration: String? = nil, counted: Bool = true) {
        if counted { count(error) }
        failure = ErrorInfo(
            sqlstate: error.sqlstate, message: SecretMasker.mask(error.message), migration: migration,
            detail: error.detail.map(SecretMasker.mask), hint: error.hint)
    }

    mutating func fail(message: String, sqlstate: String? = nil, migration: String? = nil) {
        failure = ErrorInfo(sqlstate: sqlstate, message: SecretMasker.mask(message), migration: migration)
    }

    var errorCount: Int { errors.values.reduce(0, +) }

    /// A step whose memory cap cannot be enforced: with the cap required, the step does
    /// not run and the run ends (exit 3); otherwise nil, and the step runs uncapped.
    static func cannotEnforceMemoryCap(_ reason: String, context: StepContext) -> StepMeasurement? {
        guard context.memoryCapRequired else { return nil }
        var m = StepMeasurement()
        m.memoryCap = .notApplied(reason: reason)
        let why = "memory_cap on step \(context.step.name) cannot be enforced: \(reason) (with `required: false` the step runs uncapped)"
        m.fail(message: why)
        m.infrastructureFailure = why
        return m
    }
}

/// What a `missing_seed` fault removed from one table's CSV.
struct MissingSeedObservation: Sendable {
    var removed = 0
    /// The first 20 keys removed.
    var keys: [String] = []
    var startedMs: Double?
    var endedMs: Double?
}
