/// The one seeded generator of rehearse (SplitMix64): the same seed gives the same
/// numbers on every machine, for workload schedules, fault row choices and tests
/// that must replay a failing case.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// The `index`-th number of the sequence of `seed`, without the ones before it: a
    /// bijection of the index for a given seed.
    package static func value(seed: UInt64, index: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: seed &+ index &* 0x9E37_79B9_7F4A_7C15)
        return generator.next()
    }
}
