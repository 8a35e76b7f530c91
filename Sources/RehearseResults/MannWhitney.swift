import Foundation

/// The Mann-Whitney U test (two-sided), as scipy.stats.mannwhitneyu computes it:
/// the exact distribution when a sample has at most 8 values and there are no
/// ties, else the normal approximation with tie and continuity corrections.
public enum MannWhitney {
    public struct Result: Sendable, Equatable {
        /// U of the first sample.
        public var u: Double
        public var p: Double
        public var exact: Bool
    }

    public static func test(_ x: [Double], _ y: [Double]) -> Result? {
        let n1 = x.count, n2 = y.count
        guard n1 > 0, n2 > 0 else { return nil }
        let all = (x.map { ($0, 0) } + y.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        var ranks = [Double](repeating: 0, count: all.count)
        var tieTerm = 0.0
        var i = 0
        while i < all.count {
            var j = i
            while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j { ranks[k] = rank }
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            i = j + 1
        }
        let r1 = zip(all, ranks).filter { $0.0.1 == 0 }.reduce(0) { $0 + $1.1 }
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let hasTies = tieTerm > 0
        if (n1 <= 8 || n2 <= 8) && !hasTies {
            let uMin = min(u1, Double(n1 * n2) - u1)
            let p = min(1, 2 * exactCDF(Int(uMin.rounded()), n1, n2))
            return Result(u: u1, p: p, exact: true)
        }
        let n = Double(n1 + n2)
        let mu = Double(n1 * n2) / 2
        let sigma = (Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
        guard sigma > 0 else { return Result(u: u1, p: 1, exact: false) }
        let z = max(0, abs(u1 - mu) - 0.5) / sigma
        return Result(u: u1, p: min(1, erfc(z / 2.0.squareRoot())), exact: false)
    }

    /// P(U <= u) under the null hypothesis, by counting arrangements.
    static func exactCDF(_ u: Int, _ n1: Int, _ n2: Int) -> Double {
        let counts = nullCounts(n1, n2)
        let below = counts[0...min(max(u, 0), n1 * n2)].reduce(0, +)
        return below / counts.reduce(0, +)
    }

    /// How many arrangements of n1 x's and n2 y's give U = 0 … n1·n2.
    static func nullCounts(_ n1: Int, _ n2: Int) -> [Double] {
        let maxU = n1 * n2
        // counts[i][j][k]: arrangements of i x's and j y's with U = k, computed row by row.
        var previous = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
        for j in 0...n2 { previous[j][0] = 1 }
        for _ in 0..<n1 {
            var current = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
            current[0][0] = 1
            for j in 1...max(n2, 1) where n2 > 0 {
                for k in 0...maxU {
                    // The largest value is an x (it beats all j y's) or a y.
                    let fromX = k >= j ? previous[j][k - j] : 0
                    current[j][k] = fromX + current[j - 1][k]
                }
            }
            previous = current
        }
        return previous[n2]
    }
}
