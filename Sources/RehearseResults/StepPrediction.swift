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
    public var targets: [PredictedTarget]?

    package init(
        scale: Double, durationMs: ScaleFit? = nil, lockHold: [String: [String: ScaleFit]]? = nil, lockHoldExact: Bool? = nil,
        targets: [PredictedTarget]? = nil
    ) {
        self.scale = scale
        self.durationMs = durationMs
        self.lockHold = lockHold
        self.lockHoldExact = lockHoldExact
        self.targets = targets
    }

    /// The longest predicted hold over every relation and mode (or one relation's): the fit
    /// whose upper bound is highest. One transaction holds several locks about equally long
    /// (a rewrite's AccessExclusiveLock and the RowExclusiveLock of its UPDATE): upper
    /// bounds within 0.5% of each other are a tie, which the stronger mode wins, then the name.
    package func longestHold(relation: String? = nil) -> (relation: String, mode: String, fit: ScaleFit)? {
        let holds = (lockHold ?? [:]).filter { relation == nil || $0.key == relation }
            .flatMap { r in r.value.map { (relation: r.key, mode: $0.key, fit: $0.value) } }
        guard let top = holds.map(\.fit.high).max() else { return nil }
        return holds.filter { $0.fit.high >= top * 0.995 }.max {
            (Self.strength($0.mode), $1.relation, $1.mode) < (Self.strength($1.mode), $0.relation, $0.mode)
        }
    }

    /// PostgreSQL's table lock modes from the weakest (an unknown mode ranks below them all).
    static func strength(_ mode: String) -> Int {
        [
            "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
            "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
        ].firstIndex(of: mode) ?? -1
    }
}

/// A `predicted.<metric>` target as judged (results `predictions.<step>.targets[]`).
public struct PredictedTarget: Codable, Sendable, Equatable {
    /// As the scenario wrote it: `predicted.lock_hold < 2s`.
    public var target: String
    /// `duration` or `lock_hold`.
    public var metric: String
    /// For `lock_hold`: the lock whose prediction was judged, the longest (by upper bound)
    /// of the step's or of the relation the target names.
    public var relation: String?
    public var mode: String?
    /// The target's value, in milliseconds.
    public var limit: Double
    /// The prediction's upper bound (nil: no prediction).
    public var actual: Double?
    public var passed: Bool

    package init(
        target: String, metric: String, relation: String? = nil, mode: String? = nil, limit: Double, actual: Double?, passed: Bool
    ) {
        self.target = target
        self.metric = metric
        self.relation = relation
        self.mode = mode
        self.limit = limit
        self.actual = actual
        self.passed = passed
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
