import RehearseSupport

/// pgbench's `permute(i, size, seed)`: a pseudorandom permutation of [0, size) chosen by
/// `seed`, computed as pgbench.c computes it, so that a script gets the same permutation
/// under rehearse as under pgbench. Its generator is pg_prng's xoroshiro128** seeded with
/// two SplitMix64 draws: part of the function's definition, not a source of randomness.
enum PgBenchPermute {
    private struct Xoroshiro128 {
        var s0: UInt64
        var s1: UInt64

        init(seed: UInt64) {
            var seeds = SplitMix64(seed: seed)
            s0 = seeds.next()
            s1 = seeds.next()
            if s0 == 0 && s1 == 0 { s0 = 0x5851_F42D_4C95_7F2D }  // pg_prng_seed_check
        }

        static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

        mutating func next() -> UInt64 {
            let s0 = self.s0
            let sx = s1 ^ s0
            let value = Self.rotl(s0 &* 5, 7) &* 9
            self.s0 = Self.rotl(s0, 24) ^ sx ^ (sx << 16)
            s1 = Self.rotl(sx, 37)
            return value
        }

        mutating func range(_ lower: UInt64, _ upper: UInt64) -> UInt64 { pgPrngRange(lower, upper) { next() } }
    }

    static func permute(_ value: Int64, size: Int64, seed: Int64) -> Int64 {
        guard size >= 2 else { return 0 }
        var state = Xoroshiro128(seed: UInt64(bitPattern: seed))
        let size = UInt64(size)
        var v = UInt64(bitPattern: value) % size
        let maskLength = UInt64(63 - size.leadingZeroBitCount)
        let mask: UInt64 = (1 << maskLength) - 1
        for _ in 0..<6 {
            var m = (state.next() & mask) | 1
            var r = state.next() & mask
            if v <= mask {
                v = ((v &* m) ^ r) & mask
                v = ((v << 1) & mask) | (v >> (maskLength - 1))
            }
            m = (state.next() & mask) | 1
            r = state.next() & mask
            var t = size - 1 - v
            if t <= mask {
                t = ((t &* m) ^ r) & mask
                t = ((t << 1) & mask) | (t >> (maskLength - 1))
                v = size - 1 - t
            }
            r = state.range(0, size - 1)
            v = (v &+ r) % size
        }
        return Int64(v)
    }
}
