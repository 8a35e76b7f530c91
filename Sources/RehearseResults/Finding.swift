/// One step's verdict against the baseline (or the scenario verdict's, or a check's): p50, p95,
/// duration, throughput … of one step are one finding, not seven, so a slower machine is not
/// counted seven times. Its `rows` are the metrics it was judged from.
public struct Finding: Codable, Sendable {
    /// A step name, `checks`, or `verdict`.
    public var step: String
    public var verdict: MetricComparison.Change
    /// What decided the verdict: `duration`, `mean`, `wal_bytes`, `status`, a check's name, `verdict`.
    public var metric: String?
    /// The verdict in words, with the evidence.
    public var reason: String
    /// Hodges–Lehmann estimate of the relative change of the step's time (0.25 is +25%).
    public var shift: Double?
    /// The same estimate in milliseconds, for the absolute floor.
    public var shiftMs: Double?
    /// Its 95% confidence interval, low and high.
    public var interval: [Double]?
    /// Two-sided Mann-Whitney p, and after Holm's correction over the scenario's step findings.
    public var p: Double?
    public var pAdjusted: Double?
    /// The step's own spread: the larger relative median absolute deviation (×1.4826) of the two sides' repetitions.
    public var noise: Double?
    /// Repetitions compared: baseline, current.
    public var repetitions: [Int]?
    public var rows: [MetricComparison]

    init(step: String, verdict: MetricComparison.Change, metric: String?, reason: String, rows: [MetricComparison]) {
        self.step = step
        self.verdict = verdict
        self.metric = metric
        self.reason = reason
        self.rows = rows
    }
}
