import Foundation
import RehearseSupport

/// pgbench's random distributions (pgbench.c: `getrand`, `getExponentialRand`,
/// `getGaussianRand`, `computeIterativeZipfian`) and the draws of common/pg_prng.c they
/// use, over rehearse's one seeded generator (a concrete type, so that the hot loop of a
/// script makes no generic calls across modules).
/// `pg_prng_uint64_range` over any generator's draws: uniform in lower...upper, by rejection
/// on a bit mask. Shared by the scripts' generator and `permute`'s xoroshiro128**.
@inline(__always)
func pgPrngRange(_ lower: UInt64, _ upper: UInt64, _ next: () -> UInt64) -> UInt64 {
    guard upper > lower else { return lower }
    let range = upper - lower
    let shift = UInt64(range.leadingZeroBitCount)
    var value: UInt64
    repeat { value = next() >> shift } while value > range
    return lower + value
}

extension SplitMix64 {
    /// `pg_prng_double`: uniform in [0, 1) from the top 53 bits.
    @inline(__always)
    mutating func pgbenchDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// `pg_prng_uint64_range`: uniform in lower...upper, by rejection on a bit mask.
    @inline(__always)
    mutating func pgbenchRange(_ lower: UInt64, _ upper: UInt64) -> UInt64 {
        pgPrngRange(lower, upper) { next() }
    }

    /// `pg_prng_double_normal`: Box-Muller.
    mutating func pgbenchNormal() -> Double {
        let u1 = 1.0 - pgbenchDouble()  // (0, 1]
        let u2 = pgbenchDouble()
        return (-2.0 * log(u1)).squareRoot() * sin(2.0 * Double.pi * u2)
    }

    /// `random(min, max)`: uniform, both ends included.
    mutating func pgbenchUniform(_ min: Int64, _ max: Int64) -> Int64 {
        min &+ Int64(bitPattern: pgbenchRange(0, UInt64(bitPattern: max &- min)))
    }

    /// `random_exponential(min, max, parameter)`: the density at `max` is exp(-parameter) of that at `min`.
    mutating func pgbenchExponential(_ min: Int64, _ max: Int64, _ parameter: Double) -> Int64 {
        let cut = exp(-parameter)
        let uniform = 1.0 - pgbenchDouble()
        let rand = -log(cut + (1.0 - cut) * uniform) / parameter
        return min &+ Int64(Double(max &- min &+ 1) * rand)
    }

    /// `random_gaussian(min, max, parameter)`: a normal draw cut at ±parameter standard deviations.
    mutating func pgbenchGaussian(_ min: Int64, _ max: Int64, _ parameter: Double) -> Int64 {
        var stdev: Double
        repeat { stdev = pgbenchNormal() } while stdev < -parameter || stdev >= parameter
        let rand = (stdev + parameter) / (parameter * 2.0)
        return min &+ Int64(Double(max &- min &+ 1) * rand)
    }

    /// `random_zipfian(min, max, s)`: Devroye's rejection method (Non-Uniform Random Variate
    /// Generation, p. 550-551), as pgbench computes it.
    mutating func pgbenchZipfian(_ min: Int64, _ max: Int64, _ s: Double) -> Int64 {
        let n = max &- min &+ 1
        guard n > 1 else { return min }
        let b = pow(2.0, s - 1.0)
        var x: Double
        while true {
            let u = pgbenchDouble()
            let v = pgbenchDouble()
            x = floor(pow(u, -1.0 / (s - 1.0)))
            let t = pow(1.0 + 1.0 / x, s - 1.0)
            if v * x * (t - 1.0) / (b - 1.0) <= t / b && x <= Double(n) { break }
        }
        return min - 1 + Int64(x)
    }
}

/// pgbench's hash functions, bit for bit (pgbench.c `getHashFnv1a`, `getHashMurmur2`).
package enum PgBenchHash {
    package static func fnv1a(_ value: Int64, seed: Int64) -> Int64 {
        var result = 0xcbf2_9ce4_8422_2325 ^ UInt64(bitPattern: seed)
        var v = value
        for _ in 0..<8 {
            let octet = UInt64(bitPattern: v & 0xff)
            v >>= 8
            result ^= octet
            result = result &* 0x100_0000_01b3
        }
        return Int64(bitPattern: result)
    }

    package static func murmur2(_ value: Int64, seed: Int64) -> Int64 {
        let mul: UInt64 = 0xc6a4_a793_5bd1_e995
        var result = UInt64(bitPattern: seed) ^ 0x3525_3c9a_de8f_4ca8
        var k = UInt64(bitPattern: value)
        k = k &* mul
        k ^= k >> 47
        k = k &* mul
        result ^= k
        result = result &* mul
        result ^= result >> 47
        result = result &* mul
        result ^= result >> 47
        return Int64(bitPattern: result)
    }
}
