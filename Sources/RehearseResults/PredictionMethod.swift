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
