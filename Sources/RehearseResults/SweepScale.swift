public import RehearseSupport

/// One scale of a sweep (results `sweep[]`): its verdict and its repetitions.
public struct SweepScale: Codable, Sendable {
    public var scale: Double
    public var verdict: Verdict
    public var reasons: [String]
    public var repetitions: [RepetitionResult]

    package init(scale: Double, verdict: Verdict, reasons: [String], repetitions: [RepetitionResult]) {
        self.scale = scale
        self.verdict = verdict
        self.reasons = reasons
        self.repetitions = repetitions
    }
}
