import Foundation
import RehearseSupport

/// The Hodges–Lehmann estimate of how much a current sample is shifted from a baseline,
/// with its distribution-free confidence interval (the Mann-Whitney one: order statistics of
/// the pairwise differences), as benchstat and R's `wilcox.test(conf.int = TRUE)` give it.
///
/// Times are compared as ratios: the shift is estimated on logarithms, so `shift` 0.25 means
/// "25% slower", whatever the step's size, and the interval is a ratio too.
public enum HodgesLehmann {
    public struct Estimate: Sendable, Equatable {
        /// Relative change: 0.25 is +25%.
        public var shift: Double
        /// The confidence interval of `shift`.
        public var low: Double
        public var high: Double
        /// The estimate in the samples' own unit (median of the raw pairwise differences), for absolute floors.
        public var absoluteShift: Double
    }

    /// nil when the samples are too small for an interval at this level (3 vs 3 cannot reach 95%).
    public static func estimate(baseline x: [Double], current y: [Double], confidence: Double = 0.95) -> Estimate? {
        guard !x.isEmpty, !y.isEmpty, let k = criticalRank(x.count, y.count, alpha: 1 - confidence) else { return nil }
        func log(_ v: Double) -> Double { Foundation.log(max(v, 1e-9)) }
        let logs = y.flatMap { b in x.map { a in log(b) - log(a) } }.sorted()
        let raw = y.flatMap { b in x.map { a in b - a } }
        guard let center = Median.of(logs), let absolute = Median.of(raw) else { return nil }
        return Estimate(
            shift: exp(center) - 1, low: exp(logs[k - 1]) - 1, high: exp(logs[logs.count - k]) - 1, absoluteShift: absolute)
    }

    /// The largest k (1-based) with P(U ≤ k - 1) ≤ alpha / 2 under the null hypothesis: the interval
    /// runs from the k-th smallest pairwise difference to the k-th largest.
    static func criticalRank(_ n1: Int, _ n2: Int, alpha: Double) -> Int? {
        let pairs = n1 * n2
        if pairs <= 400 {
            let counts = MannWhitney.nullCounts(n1, n2)
            let total = counts.reduce(0, +)
            var k = 0, below = counts[0]
            while k < pairs / 2 && below / total <= alpha / 2 {
                k += 1
                below += counts[k]
            }
            return k >= 1 ? k : nil
        }
        // Normal approximation for large samples.
        let sd = (Double(pairs) * Double(n1 + n2 + 1) / 12).squareRoot()
        let z = normalQuantile(1 - alpha / 2)
        let k = Int((Double(pairs) / 2 - z * sd).rounded(.down))
        return k >= 1 ? k : nil
    }

    /// Φ⁻¹ by bisection on erfc: called once per comparison, precision is plenty.
    static func normalQuantile(_ p: Double) -> Double {
        var low = -10.0, high = 10.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}
