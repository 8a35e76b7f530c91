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
