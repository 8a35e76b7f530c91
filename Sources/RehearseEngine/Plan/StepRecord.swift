import RehearseResults

/// How one step of a repetition went: its measurement, when it ran (nanoseconds since the
/// repetition began) and how it ended. What the driver hands to `RepetitionAssembly`.
struct StepRecord: Sendable {
    var measurement: StepMeasurement
    var started: UInt64
    var ended: UInt64
    var status: StepStatus
    var work: WorkCounters? = nil

    /// A step that did not run.
    static let skipped = StepRecord(measurement: StepMeasurement(), started: 0, ended: 0, status: .skipped)

    var durationMs: Double { Double(ended - started) / 1e6 }
}
