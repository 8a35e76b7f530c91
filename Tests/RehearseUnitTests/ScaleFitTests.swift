import Foundation
import Testing

@testable import RehearseResults

/// The sweep's fit and extrapolation (no database).
@Suite("Scale fit")
struct ScaleFitTests {
    @Test func linearGrowthIsFoundAndExtrapolated() throws {
        // 40 ms per 1% of the table, ±2% noise per repetition.
        let points = [0.02, 0.05, 0.1].map { (s: Double) -> ScaleFit.Point in
            ScaleFit.Point(scale: s, values: [4000 * s * 0.98 + 5, 4000 * s + 5, 4000 * s * 1.02 + 5])
        }
        let fit = try #require(ScaleFit.fit(points, predict: 0.3, rows: 1_000_000))
        #expect(fit.r2 > 0.99)
        #expect(abs(fit.value - 1205) < 30, "\(fit)")
        #expect(fit.low < 1205 && fit.high > 1205 && fit.high - fit.low < 200, "\(fit)")
    }

    @Test func nLogNGrowthPrefersItsModel() throws {
        let rows = 10_000_000.0
        let points = [0.01, 0.03, 0.1, 0.3].map { (s: Double) -> ScaleFit.Point in
            let base: Double = 0.002 * s * rows * Foundation.log(s * rows)
            return ScaleFit.Point(scale: s, values: [0.99 * base, 1.01 * base])
        }
        let fit = try #require(ScaleFit.fit(points, predict: 1, rows: rows))
        #expect(fit.model == ScaleFit.Model.nLogN)
        let truth: Double = 0.002 * rows * Foundation.log(rows)
        #expect(abs(fit.value - truth) / truth < 0.05, "\(fit) vs \(truth)")
    }

    @Test func tooFewPointsPredictNothing() {
        #expect(ScaleFit.fit([.init(scale: 0.1, values: [1, 2, 3])], predict: 1, rows: 100) == nil)
        #expect(ScaleFit.fit([.init(scale: 0.1, values: [1]), .init(scale: 0.2, values: [2])], predict: 1, rows: 100) == nil)
        // Wider noise, wider interval.
        let quiet = ScaleFit.fit(
            [0.1, 0.2, 0.3].map { .init(scale: $0, values: [100 * $0 * 0.99, 100 * $0 * 1.01]) }, predict: 1, rows: 1e6)!
        let noisy = ScaleFit.fit(
            [0.1, 0.2, 0.3].map { .init(scale: $0, values: [100 * $0 * 0.8, 100 * $0 * 1.2]) }, predict: 1, rows: 1e6)!
        #expect(noisy.high - noisy.low > 5 * (quiet.high - quiet.low))
        #expect(StudentT.quantile975(degreesOfFreedom: 1) == 12.706)
        #expect(abs(StudentT.quantile975(degreesOfFreedom: 60) - 2.000) < 0.002)
    }
}
