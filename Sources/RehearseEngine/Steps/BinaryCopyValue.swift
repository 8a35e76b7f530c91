/// Values in PostgreSQL's binary COPY (send/recv) format, from a CSV field's text. Each function
/// writes the value's length (Int32, big-endian) and then its bytes to `out` (the encoder's room,
/// or an array), and returns true; or returns false when the text is not one the function is CERTAIN the server's text input
/// function reads to that same value (the caller then discards `out` and sends the chunk as CSV,
/// so the server reads the text itself; a refusal leaves `out` as it was). `text` is the field's
/// bytes with CSV quoting removed; never a NULL (the caller handles NULL).
///
/// Every accepted form is a strict subset of what the server's input functions take, chosen so
/// that the conversion is exact and independent of session settings (DateStyle, extra digits):
/// a wrong value loaded silently would be far worse than the few percent of server time that a
/// chunk sent as CSV costs. What the server treats specially (24:00, leap seconds, rounding of
/// more than six fraction digits, subnormal floats, `infinity`, BC) is left to the server.
/// The typmods (numeric(p,s), timestamp(p)) need nothing here: the server's recv functions
/// round and check them exactly as its input functions do.
///
/// A value takes at most 9 bytes more than its text, besides its length: numeric "1.1" is 12
/// (two groups and the header), a float 4 or 8 from as little as one digit; dates and
/// timestamps take fewer bytes than their text.
enum BinaryCopyValue {
    /// For PostgreSQL 12 and later, whose float4in parses with strtof; before 12 it went
    /// through strtod and rounded twice, so a caller must not use this for such a server.
    static func float4(_ text: UnsafeRawBufferPointer, into out: inout some BinaryCopyOutput) -> Bool {
        guard let decimal = DecimalFloat(text) else { return false }
        let value: Float
        if decimal.exact, decimal.mantissa <= 1 << 24, decimal.exponent >= -10, decimal.exponent <= 10 {
            // Clinger's fast path: both operands exact floats (10^10 < 2^24 · 2^10), so one
            // IEEE operation rounds once, as strtof does.
            let power = Float(exactPowersOfTen[abs(decimal.exponent)])
            let magnitude = decimal.exponent < 0 ? Float(decimal.mantissa) / power : Float(decimal.mantissa) * power
            value = decimal.negative ? -magnitude : magnitude
        } else {
            // Float's own parser rounds the decimal text once, to the nearest float, as the
            // server's strtof does; going through Double would round twice.
            guard let parsed = Float(String(decoding: text, as: UTF8.self)) else { return false }
            value = parsed
        }
        guard value.isFinite, !value.isSubnormal, value != 0 || !decimal.nonzero else { return false }
        out.int32(4)
        out.int32(Int32(bitPattern: value.bitPattern))
        return true
    }

    static func float8(_ text: UnsafeRawBufferPointer, into out: inout some BinaryCopyOutput) -> Bool {
        guard let decimal = DecimalFloat(text) else { return false }
        let value: Double
        if decimal.exact, decimal.mantissa <= 1 << 53, decimal.exponent >= -22, decimal.exponent <= 22 {
            // Clinger's fast path: the mantissa and 10^22 are exact doubles, so one IEEE
            // multiplication or division is the correctly rounded value strtod returns.
            let power = exactPowersOfTen[abs(decimal.exponent)]
            let magnitude = decimal.exponent < 0 ? Double(decimal.mantissa) / power : Double(decimal.mantissa) * power
            value = decimal.negative ? -magnitude : magnitude
        } else {
            // A String of at most 15 UTF-8 bytes is stored inline (no allocation); Double(String)
            // is correctly rounded like the server's strtod.
            guard let parsed = Double(String(decoding: text, as: UTF8.self)) else { return false }
            value = parsed
        }
        guard value.isFinite, !value.isSubnormal, value != 0 || !decimal.nonzero else { return false }
        out.int32(8)
        out.int64(Int64(bitPattern: value.bitPattern))
        return true
    }

    /// 10^0 ... 10^22, each exactly a double.
    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// `[-+]?digits[.digits]` (either side of the point may be empty, not both), sent as
    /// base-10000 groups. The display scale is the number of fraction digits as written, as
    /// numeric_in keeps it ("1.50" stays 1.50); zero is sent positive so that -0 reads as 0.
    static func numeric(_ text: UnsafeRawBufferPointer, into out: inout some BinaryCopyOutput) -> Bool {
        let n = text.count
        var i = 0
        var negative = false
        if i < n, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
            negative = text[i] == UInt8(ascii: "-")
            i += 1
        }
        let intStart = i
        while i < n, isDigit(text[i]) { i += 1 }
        let intEnd = i
        var fracStart = i
        if i < n, text[i] == UInt8(ascii: ".") {
            i += 1
            fracStart = i
            while i < n, isDigit(text[i]) { i += 1 }
        }
        let fracEnd = i
        let intCount = intEnd - intStart
        let fracCount = fracEnd - fracStart
        // Past 1000 digits the server's limits (weight, dscale) would need checking; such
        // values are rare enough to leave to it.
        guard i == n, intCount + fracCount >= 1, intCount + fracCount <= 1000 else { return false }

        // The decimal exponent p of each digit: the integer digits end at p = 0, the fraction
        // starts at p = -1. Groups of four are aligned on the point, group w holding 4w+3...4w.
        func digit(_ p: Int) -> Int16 {
            if p >= 0 { return p < intCount ? Int16(text[intEnd - 1 - p] &- UInt8(ascii: "0")) : 0 }
            return -p <= fracCount ? Int16(text[fracStart - 1 - p] &- UInt8(ascii: "0")) : 0
        }
        var high = intCount - 1
        while high >= -fracCount, digit(high) == 0 { high -= 1 }
        let dscale = Int16(fracCount)
        guard high >= -fracCount else {
            out.int32(8)
            out.int16(0)  // ndigits
            out.int16(0)  // weight
            out.int16(0)  // sign: positive, so that -0 reads as 0
            out.int16(dscale)
            return true
        }
        var low = -fracCount
        while digit(low) == 0 { low += 1 }
        let weightHigh = floorDiv4(high)
        let weightLow = floorDiv4(low)
        let ndigits = weightHigh - weightLow + 1
        out.int32(Int32(8 + 2 * ndigits))
        out.int16(Int16(ndigits))
        out.int16(Int16(weightHigh))
        out.int16(negative ? 0x4000 : 0)
        out.int16(dscale)
        var w = weightHigh
        while w >= weightLow {
            let p = 4 * w
            out.int16(digit(p + 3) * 1000 + digit(p + 2) * 100 + digit(p + 1) * 10 + digit(p))
            w -= 1
        }
        return true
    }

    /// `YYYY-MM-DD`, year 0001-9999: with a four-digit year first, date_in reads year, month,
    /// day whatever the DateStyle. Sent as days since 2000-01-01.
    static func date(_ text: UnsafeRawBufferPointer, into out: inout some BinaryCopyOutput) -> Bool {
        guard text.count == 10, let days = civilDays(text) else { return false }
        out.int32(4)
        out.int32(Int32(days))
        return true
    }

    /// `YYYY-MM-DD HH:MM:SS[.f{1,6}]` (or `T` for the space), sent as microseconds since
    /// 2000-01-01 00:00:00. An offset is refused: timestamp_in ignores it, but a file that
    /// carries one likely meant a timestamptz, and the server should be the one to say so.
    static func timestamp(_ text: UnsafeRawBufferPointer, into out: inout some BinaryCopyOutput) -> Bool {
        guard let (micros, end) = localMicros(text), end == text.count else { return false }
        out.int32(8)
        out.int64(micros)
        return true
    }

    /// `utc`: the session's TimeZone is UTC, so a timestamp without an offset is UTC; when false,
    /// only texts with an explicit offset (`+02`, `-05:30`, `+0530`, `Z`) are accepted.
    /// Offsets are ISO 8601's (east of Greenwich positive), up to ±15:59 as timestamptz_in allows;
    /// a zone name or abbreviation is refused, since its meaning is the server's tz database's.
    static func timestamptz(_ text: UnsafeRawBufferPointer, utc: Bool, into out: inout some BinaryCopyOutput) -> Bool {
        guard let (local, end) = localMicros(text) else { return false }
        let n = text.count
        var offsetMinutes = 0
        if end == n {
            guard utc else { return false }
        } else if text[end] == UInt8(ascii: "Z") {
            guard end + 1 == n else { return false }
        } else {
            guard text[end] == UInt8(ascii: "+") || text[end] == UInt8(ascii: "-"), let hours = number(text, end + 1, 2) else {
                return false
            }
            let minutes: Int? =
                switch n - end {
                case 3: 0
                case 5: number(text, end + 3, 2)
                case 6: text[end + 3] == UInt8(ascii: ":") ? number(text, end + 4, 2) : nil
                default: nil
                }
            guard let minutes, hours <= 15, minutes <= 59 else { return false }
            offsetMinutes = (hours * 60 + minutes) * (text[end] == UInt8(ascii: "-") ? -1 : 1)
        }
        out.int32(8)
        out.int64(local - Int64(offsetMinutes) * 60_000_000)
        return true
    }
}

extension BinaryCopyValue {
    /// The date and time at the start of `text` as microseconds since 2000-01-01 00:00:00,
    /// and the index after them.
    static func localMicros(_ text: UnsafeRawBufferPointer) -> (Int64, Int)? {
        guard text.count >= 19, let days = civilDays(text),
            text[10] == UInt8(ascii: " ") || text[10] == UInt8(ascii: "T"),
            let hour = number(text, 11, 2), text[13] == UInt8(ascii: ":"),
            let minute = number(text, 14, 2), text[16] == UInt8(ascii: ":"),
            let second = number(text, 17, 2),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var micros = Int64(days) * 86_400_000_000 + Int64((hour * 60 + minute) * 60 + second) * 1_000_000
        var end = 19
        if end < text.count, text[end] == UInt8(ascii: ".") {
            var scale: Int64 = 100_000
            var fraction: Int64 = 0
            end += 1
            while end < text.count, isDigit(text[end]) {
                // More than six digits: the server rounds them (rint of a double), left to it.
                guard scale > 0 else { return nil }
                fraction += Int64(text[end] &- UInt8(ascii: "0")) * scale
                scale /= 10
                end += 1
            }
            guard scale < 100_000 else { return nil }
            micros += fraction
        }
        return (micros, end)
    }

    /// Days since 2000-01-01 of the `YYYY-MM-DD` at the start of `text` (proleptic Gregorian,
    /// as the server counts), or nil if it is not a valid date of years 0001-9999.
    static func civilDays(_ text: UnsafeRawBufferPointer) -> Int? {
        guard text.count >= 10, let year = number(text, 0, 4), text[4] == UInt8(ascii: "-"),
            let month = number(text, 5, 2), text[7] == UInt8(ascii: "-"), let day = number(text, 8, 2),
            year >= 1, month >= 1, month <= 12, day >= 1
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays =
            switch month {
            case 2: leap ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        guard day <= monthDays else { return nil }
        // Howard Hinnant's days_from_civil, with years starting in March so the leap day is last.
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let daysFrom1970 = era * 146_097 + dayOfEra - 719_468
        return daysFrom1970 - 10_957
    }

    /// The value of exactly `count` ASCII digits at `start`, or nil.
    static func number(_ text: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= text.count else { return nil }
        var value = 0
        for i in start..<(start + count) {
            guard isDigit(text[i]) else { return nil }
            value = value * 10 + Int(text[i] &- UInt8(ascii: "0"))
        }
        return value
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// ⌊p / 4⌋: the base-10000 group of decimal exponent p, also for negative p.
    static func floorDiv4(_ p: Int) -> Int { p >= 0 ? p / 4 : -((-p + 3) / 4) }
}

extension BinaryCopyValue {
    /// A float's text `[-+]?digits[.digits][(e|E)[-+]?digits]` (either side of the point may be
    /// empty, not both), which strtod and Swift's parser read alike, as mantissa · 10^exponent.
    struct DecimalFloat {
        var negative = false
        /// Whether a mantissa digit is non-zero: a zero result then means underflow, which the
        /// server rejects.
        var nonzero = false
        /// The significant digits as an integer, when `exact` (at most 19 of them).
        var mantissa: UInt64 = 0
        var exponent = 0
        var exact = true

        /// Nil if `text` is not of that form, or longer than 400 bytes (the String made for the
        /// slow path stays bounded; the server takes longer texts, as CSV).
        init?(_ text: UnsafeRawBufferPointer) {
            let n = text.count
            guard n <= 400 else { return nil }
            var i = 0
            if i < n, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
                negative = text[i] == UInt8(ascii: "-")
                i += 1
            }
            var digits = 0
            var significant = 0
            var point = false
            while i < n {
                let byte = text[i]
                if byte == UInt8(ascii: "."), !point {
                    point = true
                } else if BinaryCopyValue.isDigit(byte) {
                    digits += 1
                    let value = UInt64(byte &- UInt8(ascii: "0"))
                    nonzero = nonzero || value != 0
                    if mantissa != 0 || value != 0 { significant += 1 }
                    if significant > 19 {
                        exact = false
                    } else {
                        mantissa = mantissa * 10 + value
                    }
                    if point { exponent -= 1 }
                } else {
                    break
                }
                i += 1
            }
            guard digits > 0 else { return nil }
            if i < n, text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") {
                i += 1
                var sign = 1
                if i < n, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
                    sign = text[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                }
                let start = i
                var written = 0
                while i < n, BinaryCopyValue.isDigit(text[i]) {
                    // Past 9999 only the slow path can tell zero from underflow and overflow.
                    if written > 9999 { exact = false } else { written = written * 10 + Int(text[i] &- UInt8(ascii: "0")) }
                    i += 1
                }
                guard i > start else { return nil }
                exponent += sign * written
            }
            guard i == n else { return nil }
        }
    }
}
