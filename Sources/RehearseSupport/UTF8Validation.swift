/// The one UTF-8 check of rehearse: scenario and SQL files, results documents and
/// CSV records all ask it where their text stops being well-formed UTF-8.
package enum UTF8Validation {
    /// The offset of the first byte in `p[from..<to]` that does not begin a well-formed
    /// UTF-8 sequence (overlong forms, surrogates and scalars past U+10FFFF included);
    /// nil when all of it is UTF-8.
    package static func firstInvalid(_ p: UnsafeBufferPointer<UInt8>, from: Int = 0, to: Int? = nil) -> Int? {
        let to = to ?? p.count
        guard from < to, let start = p.baseAddress else { return nil }
        var i = from
        let base = UnsafeRawPointer(start)
        while i < to {
            // ASCII eight bytes at a time.
            if i + 8 <= to, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let c = p[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            let smallest: UInt32
            if c & 0xE0 == 0xC0 {
                (length, scalar, smallest) = (2, UInt32(c & 0x1F), 0x80)
            } else if c & 0xF0 == 0xE0 {
                (length, scalar, smallest) = (3, UInt32(c & 0x0F), 0x800)
            } else if c & 0xF8 == 0xF0 {
                (length, scalar, smallest) = (4, UInt32(c & 0x07), 0x1_0000)
            } else {
                return i
            }
            guard i + length <= to else { return i }
            for k in 1..<length {
                let d = p[i + k]
                guard d & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(d & 0x3F)
            }
            if scalar < smallest || scalar > 0x10_FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return i }
            i += length
        }
        return nil
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8
    /// sequence; nil when the text is all UTF-8.
    package static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalid($0) }
    }
}
