/// Finding the next byte of a small set eight bytes at a time (SWAR), for the CSV scans:
/// a byte equal to `b` makes `x ^ b·0x01…01` have a zero byte, and the lowest zero byte is
/// found exactly (borrows only flag bytes above it).
enum ByteSearch {
    /// The first index in `from..<to` whose byte is one of `set` (repeat a byte to search
    /// for fewer than five: the repeated test is computed once once inlined), or `to`.
    @inline(__always)
    static func first(
        in base: UnsafeRawPointer, from: Int, to: Int, anyOf set: (UInt8, UInt8, UInt8, UInt8, UInt8)
    ) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func equal(_ w: UInt64, _ b: UInt8) -> UInt64 {
            let x = w ^ (ones &* UInt64(b))
            return (x &- ones) & ~x & highs
        }
        var i = from
        while i + 8 <= to {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let hits = equal(w, set.0) | equal(w, set.1) | equal(w, set.2) | equal(w, set.3) | equal(w, set.4)
            if hits != 0 { return i + hits.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < to {
            let c = base.load(fromByteOffset: i, as: UInt8.self)
            if c == set.0 || c == set.1 || c == set.2 || c == set.3 || c == set.4 { return i }
            i += 1
        }
        return i
    }
}
