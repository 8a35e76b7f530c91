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
