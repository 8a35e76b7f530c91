/// Turns a chunk of CSV records, as `CSVReader` hands them out (each ending in one
/// `"\n"`, as many fields as the header, valid UTF-8), into PostgreSQL's binary COPY
/// format, so that the server skips parsing text: about a tenth of a seed's server time
/// on PostgreSQL 15 into a table with a primary key (`Benchmarks/README.md`).
///
/// It converts only what it is certain the server's text input would read to the same
/// value: plain integers, canonical UUIDs, the usual spellings of booleans, text as it
/// stands. Any other value (whitespace around a number, an overflow, `infinity`, a NUL)
/// makes `encode` refuse the whole chunk, and the caller sends it as CSV: the server then
/// reads that text itself, with its own errors. Refusing costs one wasted pass; a value
/// read differently would be a wrong rehearsal.
struct BinaryCopyEncoder: Sendable {
    /// A column's type, as the encoder converts it.
    enum Column: Sendable, Equatable {
        case int2, int4, int8
        /// Sent as it stands: text, varchar, bpchar, json and enums, whose receive
        /// functions read the bytes as their input functions read the text (typmods
        /// and encoding checks included).
        case text
        /// jsonb: a version byte, then the text.
        case jsonb
        case bool
        case uuid
        /// Converted by `BinaryCopyValue` (float4 only from PostgreSQL 12 on, whose input
        /// function rounds once); `timestamptz` without an offset only when the session's
        /// TimeZone is UTC.
        case float4, float8, numeric, date, timestamp
        case timestamptz(utc: Bool)
    }

    let columns: [Column]

    /// `PGCOPY\n\377\r\n\0`, no flags, no header extension.
    static let header: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00] + [UInt8](repeating: 0, count: 8)

    /// The column for a type, by its OID (and `typtype`, `e` for an enum); nil for one
    /// the encoder does not convert, which keeps the whole table on CSV.
    static func column(typeOID: UInt32, typtype: String, utc: Bool = false, float4: Bool = true) -> Column? {
        if typtype == "e" { return .text }
        switch typeOID {
        case 700: return float4 ? .float4 : nil
        case 701: return .float8
        case 1700: return .numeric
        case 1082: return .date
        case 1114: return .timestamp
        case 1184: return .timestamptz(utc: utc)
        case 21: return .int2
        case 23: return .int4
        case 20: return .int8
        case 25, 1043, 1042, 114: return .text  // text, varchar, bpchar, json
        case 3802: return .jsonb
        case 16: return .bool
        case 2950: return .uuid
        default: return nil
        }
    }

    /// The chunk in binary COPY format in `out` (replacing its content), or false when
    /// some value is not one to convert (then `out` holds nothing useful).
    func encode(_ csv: [UInt8], into out: inout [UInt8]) -> Bool {
        // Values are written through a pointer into room made beforehand: a record takes
        // at most its own bytes plus, per field, a length and 17 bytes (a UUID, the jsonb
        // version byte); when the room left might not hold the next one, more is made.
        var capacity = Self.header.count + 2 + csv.count + csv.count / 2 + recordOverhead
        var used = 0
        var at = 0
        var scratch: [UInt8] = []
        out.removeAll(keepingCapacity: true)
        while true {
            if out.count < capacity { out.append(contentsOf: repeatElement(0, count: capacity - out.count)) }
            let outcome = out.withUnsafeMutableBytes { room in
                csv.withUnsafeBytes { bytes in encode(bytes, from: &at, into: room, used: &used, scratch: &scratch) }
            }
            switch outcome {
            case .done:
                out.removeLast(out.count - used)
                return true
            case .refused:
                return false
            case .full:
                capacity *= 2
            }
        }
    }

    private enum Outcome { case done, refused, full }

    /// The most a record's encoding adds to its CSV bytes.
    private var recordOverhead: Int { 2 + columns.count * 21 }

    private func encode(
        _ bytes: UnsafeRawBufferPointer, from at: inout Int, into room: UnsafeMutableRawBufferPointer, used: inout Int,
        scratch: inout [UInt8]
    ) -> Outcome {
        guard let base = room.baseAddress else { return .full }
        var out = Writer(base: base, used: used)
        if out.used == 0 { Self.header.withUnsafeBytes { out.bytes($0) } }
        defer { used = out.used }
        while at < bytes.count {
            guard out.used + recordOverhead + (bytes.count - at) + 2 <= room.count else { return .full }
            out.int16(Int16(truncatingIfNeeded: columns.count))
            for index in columns.indices {
                let separator: UInt8 = index == columns.count - 1 ? 0x0A : 0x2C
                guard let field = Self.field(bytes, at: &at, separator: separator, scratch: &scratch) else { return .refused }
                switch field {
                case .null:
                    out.int32(-1)
                case .value(let value):
                    guard Self.append(value, as: columns[index], to: &out) else { return .refused }
                case .unescaped:
                    let ok = scratch.withUnsafeBytes { Self.append($0, as: columns[index], to: &out) }
                    guard ok else { return .refused }
                }
            }
        }
        out.int16(-1)
        return .done
    }

    /// Writes big-endian integers and bytes at `used`, in room made beforehand.
    struct Writer {
        let base: UnsafeMutableRawPointer
        var used: Int

        @inline(__always) mutating func int16(_ value: Int16) {
            base.storeBytes(of: value.bigEndian, toByteOffset: used, as: Int16.self)
            used += 2
        }

        @inline(__always) mutating func int32(_ value: Int32) {
            base.storeBytes(of: value.bigEndian, toByteOffset: used, as: Int32.self)
            used += 4
        }

        @inline(__always) mutating func int64(_ value: Int64) {
            base.storeBytes(of: value.bigEndian, toByteOffset: used, as: Int64.self)
            used += 8
        }

        @inline(__always) mutating func byte(_ value: UInt8) {
            base.storeBytes(of: value, toByteOffset: used, as: UInt8.self)
            used += 1
        }

        @inline(__always) mutating func bytes(_ value: UnsafeRawBufferPointer) {
            if let source = value.baseAddress { (base + used).copyMemory(from: source, byteCount: value.count) }
            used += value.count
        }
    }

    private enum Field {
        case null
        case value(UnsafeRawBufferPointer)
        /// A quoted field with doubled quotes: its value is in the scratch buffer.
        case unescaped
    }

    /// The field at `at`, which must end with `separator`; moves `at` past it. Nil for
    /// what the CSV path should meet instead (a NUL, a carriage return outside quotes,
    /// a malformed field).
    private static func field(
        _ bytes: UnsafeRawBufferPointer, at: inout Int, separator: UInt8, scratch: inout [UInt8]
    ) -> Field? {
        let count = bytes.count
        var i = at
        guard let base = bytes.baseAddress else { return nil }
        if i < count && bytes[i] == 0x22 {
            i += 1
            let start = i
            var doubled = false
            while true {
                i = Self.skip(base, from: i, to: count, quoted: true)
                guard i < count else { return nil }
                let c = bytes[i]
                if c == 0 { return nil }
                if c == 0x22 {
                    if i + 1 < count && bytes[i + 1] == 0x22 {
                        doubled = true
                        i += 2
                        continue
                    }
                    break
                }
                i += 1
            }
            let end = i
            i += 1
            guard i < count, bytes[i] == separator else { return nil }
            at = i + 1
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            guard doubled else { return .value(raw) }
            scratch.removeAll(keepingCapacity: true)
            var j = 0
            while j < raw.count {
                scratch.append(raw[j])
                j += raw[j] == 0x22 ? 2 : 1
            }
            return .unescaped
        }
        let start = i
        i = Self.skip(base, from: i, to: count, quoted: false)
        guard i < count, bytes[i] == separator else { return nil }
        at = i + 1
        return i == start ? .null : .value(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
    }

    /// The first byte at or after `from` that ends a run of ordinary ones: in quotes a
    /// quote; outside them a comma, line feed, quote or carriage return; either way a NUL.
    @inline(__always)
    private static func skip(_ base: UnsafeRawPointer, from: Int, to: Int, quoted: Bool) -> Int {
        quoted
            ? ByteSearch.first(in: base, from: from, to: to, anyOf: (0x22, 0x00, 0x00, 0x00, 0x00))
            : ByteSearch.first(in: base, from: from, to: to, anyOf: (0x22, 0x00, 0x2C, 0x0A, 0x0D))
    }

    /// PostgreSQL's largest value (1 GB): a longer field is the server's to refuse, and
    /// its length would not fit the wire's Int32.
    static let maximumValueBytes = 0x3FFF_FFFF

    /// Writes the value's length and bytes; false when it is not one to convert.
    private static func append(_ value: UnsafeRawBufferPointer, as column: Column, to out: inout Writer) -> Bool {
        switch column {
        case .float4: return BinaryCopyValue.float4(value, into: &out)
        case .float8: return BinaryCopyValue.float8(value, into: &out)
        case .numeric: return BinaryCopyValue.numeric(value, into: &out)
        case .date: return BinaryCopyValue.date(value, into: &out)
        case .timestamp: return BinaryCopyValue.timestamp(value, into: &out)
        case .timestamptz(let utc): return BinaryCopyValue.timestamptz(value, utc: utc, into: &out)
        case .int2:
            guard let v = integer(value, min: Int64(Int16.min), max: Int64(Int16.max)) else { return false }
            out.int32(2)
            out.int16(Int16(truncatingIfNeeded: v))
        case .int4:
            guard let v = integer(value, min: Int64(Int32.min), max: Int64(Int32.max)) else { return false }
            out.int32(4)
            out.int32(Int32(truncatingIfNeeded: v))
        case .int8:
            guard let v = integer(value, min: .min, max: .max) else { return false }
            out.int32(8)
            out.int64(v)
        case .text:
            guard value.count <= maximumValueBytes else { return false }
            out.int32(Int32(truncatingIfNeeded: value.count))
            out.bytes(value)
        case .jsonb:
            guard value.count <= maximumValueBytes else { return false }
            out.int32(Int32(truncatingIfNeeded: value.count + 1))
            out.byte(1)
            out.bytes(value)
        case .bool:
            guard let v = boolean(value) else { return false }
            out.int32(1)
            out.byte(v ? 1 : 0)
        case .uuid:
            return uuid(value, to: &out)
        }
        return true
    }

    /// `[-+]?[0-9]+` within `min...max`; nil for anything else (spaces, `0x10`,
    /// underscores, an overflow), which the server may read or refuse its own way.
    static func integer(_ text: UnsafeRawBufferPointer, min: Int64, max: Int64) -> Int64? {
        var i = 0
        var negative = false
        if i < text.count && (text[i] == 0x2D || text[i] == 0x2B) {
            negative = text[i] == 0x2D
            i += 1
        }
        guard i < text.count else { return nil }
        // Accumulated negative, so that Int64.min fits.
        var value: Int64 = 0
        while i < text.count {
            let digit = Int64(text[i]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times.subtractingReportingOverflow(digit)
            guard !o1 && !o2 else { return nil }
            value = next
            i += 1
        }
        if !negative {
            guard value != .min else { return nil }
            value = -value
        }
        return value >= min && value <= max ? value : nil
    }

    /// The spellings every PostgreSQL reads as a boolean, in any case; nil for the
    /// rest (prefixes such as `tr`, surrounding spaces), left to the server.
    static func boolean(_ text: UnsafeRawBufferPointer) -> Bool? {
        guard text.count <= 5 else { return nil }
        var lower: UInt64 = 0
        for byte in text { lower = lower << 8 | UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        func word(_ s: StaticString) -> UInt64 {
            var w: UInt64 = 0
            for i in 0..<s.utf8CodeUnitCount { w = w << 8 | UInt64(s.utf8Start[i]) }
            return w
        }
        switch lower {
        case word("t"), word("true"), word("y"), word("yes"), word("on"), word("1"): return true
        case word("f"), word("false"), word("n"), word("no"), word("off"), word("0"): return false
        default: return nil
        }
    }

    /// A UUID written as 32 hex digits, with or without the four hyphens of the
    /// canonical 8-4-4-4-12 form.
    static func uuid(_ text: UnsafeRawBufferPointer, to out: inout Writer) -> Bool {
        let hyphens = text.count == 36
        guard hyphens || text.count == 32 else { return false }
        if hyphens {
            for position in [8, 13, 18, 23] where text[position] != 0x2D { return false }
        }
        out.int32(16)
        var i = 0
        var high: UInt8?
        while i < text.count {
            let c = text[i]
            i += 1
            if hyphens && (i == 9 || i == 14 || i == 19 || i == 24) { continue }
            let nibble: UInt8
            switch c {
            case 0x30...0x39: nibble = c - 0x30
            case 0x61...0x66: nibble = c - 0x61 + 10
            case 0x41...0x46: nibble = c - 0x41 + 10
            default: return false
            }
            if let h = high {
                out.byte(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return true
    }
}
