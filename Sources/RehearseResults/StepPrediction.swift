public import RehearseSupport

/// One step's prediction at a sweep's `predict` scale (results `predictions.<step>`):
/// its duration and the longest hold of each table lock it took, each fitted over the
/// scales and extrapolated, with the `predicted.<metric>` targets judged on them.
public struct StepPrediction: Codable, Sendable {
    public var scale: Double
    public var durationMs: ScaleFit?
    /// Relation, then lock mode (`AccessExclusiveLock`): the longest time one transaction
    /// of the step held that lock.
    public var lockHold: [String: [String: ScaleFit]]?
    /// True when every hold came from exact lock recording (`locks_taken[].exact`), false
    /// when some were sampled (every 50 ms: a hold is then known to that grain).
    public var lockHoldExact: Bool?
    /// The step's `predicted.<metric>` targets, judged on the predictions' upper bounds.
    public var targets: [TargetResult]?

    package init(
        scale: Double, durationMs: ScaleFit? = nil, lockHold: [String: [String: ScaleFit]]? = nil, lockHoldExact: Bool? = nil,
        targets: [TargetResult]? = nil
    ) {
        self.scale = scale
        self.durationMs = durationMs
        self.lockHold = lockHold
        self.lockHoldExact = lockHoldExact
        self.targets = targets
    }

    /// The longest predicted hold over every relation and mode (or one relation's): the fit
    /// whose upper bound is highest.
    package func longestHold(relation: String? = nil) -> (relation: String, mode: String, fit: ScaleFit)? {
        let holds = (lockHold ?? [:]).filter { relation == nil || $0.key == relation }
            .flatMap { r in r.value.map { (relation: r.key, mode: $0.key, fit: $0.value) } }
        // Ties broken by name, so the same document always names the same lock.
        return holds.max { ($0.fit.high, $1.relation, $1.mode) < ($1.fit.high, $0.relation, $0.mode) }
    }
}

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

/// How a sweep's predictions were made (results `prediction_method`), so that a reader
/// knows what the interval means without reading rehearse's source.
public struct PredictionMethod: Codable, Sendable, Equatable {
    public var scales: [Double]
    public var predict: Double
    /// The models tried, `y = a + b·x`: `linear` (x the scale) and `n_log_n` (x = scale ·
    /// ln(1 + scale · rows)).
    public var models: [ScaleFit.Model]
    /// `rows` of the n·log n model: the largest profiled table the sweep's synthesize steps fill.
    public var rows: Double
    public var choice: String
    public var interval: String
    /// The interval's level: 0.95.
    public var level: Double
    public var lockHold: String

    package static func standard(scales: [Double], predict: Double, rows: Double) -> PredictionMethod {
        PredictionMethod(
            scales: scales, predict: predict, models: [.linear, .nLogN], rows: rows,
            choice: "the model with the smaller residual sum of squares over every repetition of every scale",
            interval:
                "prediction interval of the least-squares fit at the predicted scale (Student's t, n-2 degrees of freedom, "
                + "n the repetitions of every scale): it widens with the spread of each scale's repetitions around the fit "
                + "and with the distance of the extrapolation",
            level: 0.95,
            lockHold:
                "the longest time one transaction of the step held each table lock (locks_taken of kind relation, per "
                + "relation and mode): exact where locks_taken[].exact is true, else sampled every 50 ms")
    }
}
