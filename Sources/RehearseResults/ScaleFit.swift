import Foundation

/// A metric measured at several scales (a `sweep`), fitted and extrapolated to the
/// scale to predict (scenario-format.md, *Predicting production from smaller
/// rehearsals*; results `predictions.<step>.duration_ms`).
///
/// Two models, `y = a + b·x`, fitted by least squares over every repetition of every
/// scale: linear (`x` = the scale) and n·log n (`x` = scale · ln(1 + scale · rows), `rows`
/// the profile's row count at scale 1). The better fit is the one with the smaller
/// residual sum of squares. The interval is the fit's 95% prediction interval at the
/// predicted scale (Student's t with n-2 degrees of freedom): it widens with the spread
/// of the repetitions around the fit and with the distance of the extrapolation.
/// Pure arithmetic: no database, no clock.
public struct ScaleFit: Codable, Sendable, Equatable {
    public enum Model: String, Codable, Sendable { case linear, nLogN = "n_log_n" }

    public var value: Double
    public var low: Double
    public var high: Double
    public var model: Model
    public var r2: Double
    /// The fitted line, `y = intercept + slope·x` with `x` as `model` says (`rows` for
    /// n·log n), so that a report can draw the curve through the measured scales.
    public var intercept: Double? = nil
    public var slope: Double? = nil
    public var rows: Double? = nil

    /// One scale's measurements: every repetition's value.
    public struct Point: Sendable {
        public var scale: Double
        public var values: [Double]
        public init(scale: Double, values: [Double]) {
            self.scale = scale
            self.values = values
        }
    }

    /// Nil with fewer than two scales or three measurements (no line, or no spread, to speak of).
    public static func fit(_ points: [Point], predict: Double, rows: Double) -> ScaleFit? {
        let scales = Set(points.filter { !$0.values.isEmpty }.map(\.scale))
        guard scales.count >= 2, points.reduce(0, { $0 + $1.values.count }) >= 3, predict > 0 else { return nil }
        let fits = [Model.linear, .nLogN].compactMap { model -> (Model, Line)? in
            let xy = points.flatMap { p in p.values.map { (x(model, p.scale, rows), $0) } }
            return Line(xy).map { (model, $0) }
        }
        guard let (model, line) = fits.min(by: { $0.1.rss < $1.1.rss }) else { return nil }
        let x0 = x(model, predict, rows)
        let value = line.intercept + line.slope * x0
        let half = line.predictionHalfWidth(at: x0)
        // A duration or a lock hold is never below zero, whatever the line says.
        return ScaleFit(
            value: max(0, value), low: max(0, value - half), high: max(0, value + half), model: model, r2: line.r2,
            intercept: line.intercept, slope: line.slope, rows: rows)
    }

    /// The fitted curve at `scale` (nil for a fit read from a document without its line).
    public func curve(at scale: Double) -> Double? {
        guard let intercept, let slope else { return nil }
        return intercept + slope * Self.x(model, scale, rows ?? 1)
    }

    static func x(_ model: Model, _ scale: Double, _ rows: Double) -> Double {
        switch model {
        case .linear: scale
        case .nLogN: scale * log(1 + scale * max(rows, 1))
        }
    }

    /// Least squares `y = intercept + slope·x`.
    struct Line {
        var intercept: Double
        var slope: Double
        var rss: Double
        var r2: Double
        var n: Int
        var meanX: Double
        var sxx: Double

        init?(_ xy: [(Double, Double)]) {
            let count = xy.count
            guard count >= 3 else { return nil }
            let mx = xy.reduce(0) { $0 + $1.0 } / Double(count)
            let my = xy.reduce(0) { $0 + $1.1 } / Double(count)
            let sx = xy.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
            guard sx > 0 else { return nil }
            let b = xy.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sx
            let a = my - b * mx
            let residual = xy.reduce(0) { $0 + pow($1.1 - (a + b * $1.0), 2) }
            let total = xy.reduce(0) { $0 + pow($1.1 - my, 2) }
            (n, meanX, sxx, slope, intercept, rss) = (count, mx, sx, b, a, residual)
            r2 = total > 0 ? 1 - residual / total : 1
        }

        func predictionHalfWidth(at x0: Double) -> Double {
            let s = (rss / Double(n - 2)).squareRoot()
            return StudentT.quantile975(degreesOfFreedom: n - 2) * s * (1 + 1 / Double(n) + pow(x0 - meanX, 2) / sxx).squareRoot()
        }
    }
}

/// The 97.5% quantile of Student's t (two-sided 95%).
enum StudentT {
    private static let table: [Double] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ]

    static func quantile975(degreesOfFreedom df: Int) -> Double {
        guard df >= 1 else { return .infinity }
        if df <= table.count { return table[df - 1] }
        // Past 30 degrees of freedom: the normal's 1.96 with the first terms of its expansion in 1/df.
        let z = 1.959964
        let d = Double(df)
        return z + (pow(z, 3) + z) / (4 * d) + (5 * pow(z, 5) + 16 * pow(z, 3) + 3 * z) / (96 * d * d)
    }
}
