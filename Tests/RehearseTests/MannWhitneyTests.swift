import Testing

@testable import Rehearse

/// Reference values from scipy 1.17: `scipy.stats.mannwhitneyu(x, y, alternative='two-sided')`.
@Suite("Mann-Whitney U against scipy")
struct MannWhitneyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var x: [Double]
        var y: [Double]
        var u: Double
        var p: Double
        var testDescription: String { "\(x.count)+\(y.count) U=\(u)" }
    }

    static let cases: [Case] = [
        Case(x: [1, 2, 3, 4, 5], y: [6, 7, 8, 9, 10], u: 0, p: 0.007936507936507936),
        Case(x: [1.1, 2.2, 3.3, 4.4, 5.5], y: [1.0, 2.5, 3.1, 4.9, 5.2], u: 13, p: 1.0),
        Case(x: [10, 11, 12, 13, 14, 15], y: [12, 13, 14, 15, 16, 17, 18], u: 8, p: 0.07255695980322559),
        Case(x: [1, 2, 2, 3, 3, 3, 4], y: [3, 4, 4, 5, 5, 6, 7], u: 3.5, p: 0.007659988586736321),
        Case(x: (0..<20).map(Double.init), y: (5..<25).map(Double.init), u: 112.5, p: 0.01852194627574225),
        Case(x: [5.0, 5.1, 5.2, 4.9, 5.05], y: [5.5, 5.6, 5.4, 5.7, 5.65], u: 0, p: 0.007936507936507936),
    ]

    @Test(arguments: cases)
    func matchesScipy(_ c: Case) throws {
        let result = try #require(MannWhitney.test(c.x, c.y))
        #expect(result.u == c.u)
        #expect(abs(result.p - c.p) < 1e-9, "p \(result.p) vs scipy \(c.p)")
    }
}
