/// HdrHistogram's standard compressed encoding, version 2: what Java's
/// `encodeIntoCompressedByteBuffer` writes and `decodeFromCompressedByteBuffer`, C's
/// `hdr_log_decode` and Python's `HdrHistogram.decode` read (base64, it starts "HISTF").
///
/// All big-endian: the compressed cookie and the deflated length (two Int32), then the
/// zlib-deflated encoding: its cookie, payload length, normalizing index offset and
/// significant digits (four Int32), lowest discernible and highest trackable values
/// (two Int64), the integer-to-double conversion ratio (a Float64, 1.0), and the counts
/// array up to the highest recorded index as ZigZag LEB128, a run of zero counts as its
/// length negated.
enum HdrCompressedEncoding {
    /// `0x1c849304 | 0x10`: the V2 compressed cookie base with the 9-byte word size bit.
    static let compressedCookie: UInt32 = 0x1c84_9314
    /// `0x1c849303 | 0x10`: the V2 encoding cookie base, likewise.
    static let encodingCookie: UInt32 = 0x1c84_9313
    /// Readers match a cookie's base and ignore its word-size nibble.
    private static let cookieBaseMask: UInt32 = ~0xf0
    private static let headerLength = 40
    /// Far above any real histogram (one of 3 digits up to an hour is under 250 KB
    /// inflated), far below what a hostile length could make us allocate.
    static let inflatedLimit = 16 << 20

    /// A decoded histogram: its layout and its non-zero counts by ascending index.
    struct Decoded {
        var layout: HdrLayout
        var counts: [(index: Int, count: UInt64)]
    }

    /// The encoding of `counts` (non-zero, by ascending index) in `layout`.
    static func encode(layout: HdrLayout, counts: [(index: Int, count: UInt64)]) -> [UInt8] {
        var payload: [UInt8] = []
        var next = 0
        for (index, count) in counts where count > 0 {
            let zeros = index - next
            // Java writes a single zero as a count of 0, a longer run as its negated length.
            if zeros == 1 { appendZigZag(0, to: &payload) } else if zeros > 1 { appendZigZag(-Int64(zeros), to: &payload) }
            appendZigZag(Int64(clamping: count), to: &payload)
            next = index + 1
        }
        var inner: [UInt8] = []
        append(encodingCookie, to: &inner)
        append(UInt32(payload.count), to: &inner)
        append(UInt32(0), to: &inner)  // normalizingIndexOffset: integer histograms never shift
        append(UInt32(layout.significantDigits), to: &inner)
        append(layout.lowestDiscernibleValue, to: &inner)
        append(layout.highestTrackableValue, to: &inner)
        append((1.0 as Double).bitPattern, to: &inner)
        inner += payload
        let deflated = Zlib.deflate(inner)
        var bytes: [UInt8] = []
        append(compressedCookie, to: &bytes)
        append(UInt32(deflated.count), to: &bytes)
        return bytes + deflated
    }

    /// Nil unless `bytes` are one whole, well-formed encoding of an integer histogram.
    static func decode(_ bytes: [UInt8]) -> Decoded? {
        var reader = Reader(bytes: bytes[...])
        guard let cookie = reader.uint32(), cookie & cookieBaseMask == compressedCookie & cookieBaseMask,
            let length = reader.uint32(), Int(length) <= reader.remaining,
            let inflated = Zlib.inflate(reader.take(Int(length)), limit: inflatedLimit)
        else { return nil }

        var inner = Reader(bytes: inflated[...])
        guard let innerCookie = inner.uint32(), innerCookie & cookieBaseMask == encodingCookie & cookieBaseMask,
            let payloadLength = inner.uint32(), Int(payloadLength) <= inflated.count - headerLength,
            // A DoubleHistogram's shifted array; no integer histogram writes one.
            inner.uint32() == 0,
            let digits = inner.uint32(), let lowest = inner.uint64(), let highest = inner.uint64(),
            inner.uint64() != nil,
            let layout = HdrLayout(
                significantDigits: Int(Int32(bitPattern: digits)), lowestDiscernibleValue: lowest,
                highestTrackableValue: highest)
        else { return nil }

        var payload = Reader(bytes: inner.take(Int(payloadLength)))
        var counts: [(index: Int, count: UInt64)] = []
        var index = 0
        while payload.remaining > 0 {
            guard let value = payload.zigZag() else { return nil }
            if value < 0 {
                guard value != .min, -value <= Int64(layout.countsLength - index) else { return nil }
                index += Int(-value)
            } else {
                guard index < layout.countsLength else { return nil }
                if value > 0 { counts.append((index, UInt64(value))) }
                index += 1
            }
        }
        return Decoded(layout: layout, counts: counts)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Java's `ZigZagEncoding.putLong`: LEB128 of the ZigZag value, whose ninth byte, if
    /// it comes to that, carries a whole 8 bits.
    private static func appendZigZag(_ value: Int64, to bytes: inout [UInt8]) {
        var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if v >> 7 == 0 {
                bytes.append(UInt8(v))
                return
            }
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private struct Reader {
        var bytes: ArraySlice<UInt8>

        var remaining: Int { bytes.count }

        mutating func take(_ count: Int) -> ArraySlice<UInt8> {
            defer { bytes = bytes.dropFirst(count) }
            return bytes.prefix(count)
        }

        mutating func uint32() -> UInt32? { integer() }
        mutating func uint64() -> UInt64? { integer() }

        private mutating func integer<T: FixedWidthInteger & UnsignedInteger>() -> T? {
            let size = MemoryLayout<T>.size
            guard bytes.count >= size else { return nil }
            return take(size).reduce(T.zero) { $0 << 8 | T($1) }
        }

        /// Java's `ZigZagEncoding.getLong`.
        mutating func zigZag() -> Int64? {
            var v: UInt64 = 0
            for position in 0..<9 {
                guard let byte = bytes.first else { return nil }
                bytes = bytes.dropFirst()
                if position == 8 {
                    v |= UInt64(byte) << 56
                    break
                }
                v |= UInt64(byte & 0x7f) << (7 * position)
                if byte & 0x80 == 0 { break }
            }
            return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
        }
    }
}
