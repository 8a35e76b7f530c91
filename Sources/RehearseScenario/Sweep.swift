/// `sweep: {scale: [0.01, 0.03, 0.1], predict: 1.0}` (scenario-format.md, *Predicting
/// production from smaller rehearsals*): the scenario runs once per scale, and every step's
/// duration and lock holds are extrapolated to `predict`.
public struct Sweep: Sendable, Equatable {
    /// Increasing, at least two, each within `SynthesizeSpec.scaleRange`.
    public var scales: [Double]
    /// The scale to predict (1.0: the profile's own size).
    public var predict: Double
    public var location: SourceLocation

    public init(scales: [Double], predict: Double, location: SourceLocation) {
        self.scales = scales
        self.predict = predict
        self.location = location
    }

    /// A line needs two scales; more than this is a sweep no deploy rehearsal needs.
    public static let scaleCount = 2...20
    /// A fit with an interval needs three measurements (two for the line, one for the spread).
    public static let minMeasurements = 3
}

/// What a `predicted.<metric>` target judges: the upper bound of a step's prediction.
public enum PredictedMetric: Sendable, Equatable {
    /// `predicted.duration`: the step's duration at the predicted scale.
    case duration
    /// `predicted.lock_hold`: the longest hold of any lock the step took; with a relation
    /// (`predicted.lock_hold.leads`), of that relation's locks only.
    case lockHold(relation: String?)
}
