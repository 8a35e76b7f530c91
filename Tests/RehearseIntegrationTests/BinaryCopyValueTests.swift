import Foundation
import PostgresClient
import RehearseSupport
import TestSupport
import Testing

@testable import RehearseEngine

/// Every text that `BinaryCopyValue` accepts must load through binary COPY to exactly the value
/// the server's own input function makes of it through CSV COPY: same text out (display scale,
/// -0, shortest float digits), equal values, same SQLSTATE when a typmod refuses it.
@Suite("Binary COPY values read as the server reads their text")
struct BinaryCopyValueTests {
    typealias Encode = @Sendable (UnsafeRawBufferPointer, inout [UInt8]) -> Bool

    static func encode(_ text: String, _ encode: Encode) -> [UInt8]? {
        var out: [UInt8] = []
        let accepted = Array(text.utf8).withUnsafeBytes { encode($0, &out) }
        return accepted ? out : nil
    }

    /// How one text loaded each way: the SQLSTATE of a refusal, nil if it loaded.
    struct Outcome: Sendable, Equatable {
        var binary: String?
        var text: String?
    }

    /// Loads each text into `(i, v type)` once by binary COPY (row i, from `encode`) and once by
    /// CSV COPY into a twin table, one COPY per value so that a refusal stays the value's own.
    /// Returns each value's outcome and, per loaded row, the binary and text readings and
    /// whether the two values are not distinct.
    static func load(
        _ c: Connection, type: String, texts: [String], setup: String = "SET TimeZone = 'UTC'", encode: Encode
    ) async throws -> (outcomes: [Outcome], rows: [[String?]]) {
        let fields = texts.map { Self.encode($0, encode) }
        for (text, field) in zip(texts, fields) {
            #expect(field != nil, "\(type) refused \(text)")
            // The bound the caller makes room by (BinaryCopyValue's documentation).
            #expect((field?.count ?? 0) - 4 <= text.utf8.count + 9, "\(type) \(text): \(field?.count ?? 0) bytes")
        }
        return try await c.withSession { session in
            _ = try session.execute(
                "\(setup); DROP TABLE IF EXISTS bin, txt; CREATE TABLE bin (i int, v \(type)); CREATE TABLE txt (i int, v \(type))")
            var outcomes: [Outcome] = []
            for (i, (text, field)) in zip(texts, fields).enumerated() {
                var outcome = Outcome()
                if let field {
                    var file: [UInt8] = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]  // PGCOPY\n\377\r\n\0
                    file += [0, 0, 0, 0, 0, 0, 0, 0]  // flags, header extension length
                    file += [0, 2, 0, 0, 0, 4] + withUnsafeBytes(of: Int32(i).bigEndian, Array.init) + field
                    file += [0xFF, 0xFF]
                    do {
                        try session.copyIn("COPY bin (i, v) FROM STDIN WITH (FORMAT binary)") { try $0.write(file) }
                    } catch let error as PostgresError {
                        outcome.binary = error.sqlstate ?? error.message
                    }
                }
                do {
                    try session.copyIn("COPY txt (i, v) FROM STDIN WITH (FORMAT csv)") { try $0.write(Array("\(i),\"\(text)\"\n".utf8)) }
                } catch let error as PostgresError {
                    outcome.text = error.sqlstate ?? error.message
                }
                outcomes.append(outcome)
            }
            let rows = try session.query(
                "SELECT i::text, bin.v::text, txt.v::text, (bin.v IS NOT DISTINCT FROM txt.v)::text FROM bin FULL JOIN txt USING (i) ORDER BY i"
            ).rows
            return (outcomes, rows)
        }
    }

    /// Texts that must all load, both ways, to the same value.
    static func expectSame(
        _ c: Connection, type: String, texts: [String], setup: String = "SET TimeZone = 'UTC'", encode: Encode
    ) async throws {
        let (outcomes, rows) = try await load(c, type: type, texts: texts, setup: setup, encode: encode)
        for (text, outcome) in zip(texts, outcomes) { #expect(outcome == Outcome(), "\(type) \(text)") }
        #expect(rows.count == texts.count)
        for row in rows {
            let text = Int(row[0] ?? "").map { texts[$0] } ?? "?"
            #expect(row[1] != nil && row[1] == row[2], "\(type) \(text): binary \(row[1] ?? "NULL"), text \(row[2] ?? "NULL")")
            #expect(row[3] == "true", "\(type) \(text)")
        }
    }

    /// Texts that a typmod may round or refuse: the same outcome either way, and the same value.
    static func expectSameOutcome(_ c: Connection, type: String, cases: [(String, String?)], encode: Encode) async throws {
        let texts = cases.map(\.0)
        let (outcomes, rows) = try await load(c, type: type, texts: texts, encode: encode)
        for ((text, sqlstate), outcome) in zip(cases, outcomes) {
            #expect(outcome == Outcome(binary: sqlstate, text: sqlstate), "\(type) \(text)")
        }
        for row in rows {
            let text = Int(row[0] ?? "").map { texts[$0] } ?? "?"
            #expect(row[1] == row[2], "\(type) \(text): binary \(row[1] ?? "NULL"), text \(row[2] ?? "NULL")")
            #expect(row[3] == "true", "\(type) \(text)")
        }
    }

    /// Refused, and `out` left as it was, so that a caller may also just drop what it appended.
    static func expectRefused(_ texts: [String], _ type: String, _ encode: Encode) {
        for text in texts {
            var out: [UInt8] = [7]
            let accepted = Array(text.utf8).withUnsafeBytes { encode($0, &out) }
            #expect(!accepted && out == [7], "\(type) accepted \(text)")
        }
    }
}

extension BinaryCopyValueTests {
    static let float4: Encode = { BinaryCopyValue.float4($0, into: &$1) }
    static let float8: Encode = { BinaryCopyValue.float8($0, into: &$1) }
    static let numeric: Encode = { BinaryCopyValue.numeric($0, into: &$1) }
    static let date: Encode = { BinaryCopyValue.date($0, into: &$1) }
    static let timestamp: Encode = { BinaryCopyValue.timestamp($0, into: &$1) }
    static let timestamptzUTC: Encode = { BinaryCopyValue.timestamptz($0, utc: true, into: &$1) }
    static let timestamptz: Encode = { BinaryCopyValue.timestamptz($0, utc: false, into: &$1) }

    /// Decimal texts of `count` random significands (1 to `digits` digits, the point anywhere in
    /// them or left out) whose magnitude is 10^m with m in `magnitudes`.
    static func decimals(_ count: Int, digits: Int, magnitudes: ClosedRange<Int>, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = Int.random(in: 1...digits, using: &random)
            var significand = String(Int.random(in: 1...9, using: &random))
            for _ in 1..<length { significand += String(Int.random(in: 0...9, using: &random)) }
            let point = Int.random(in: 0...length, using: &random)
            let exponent = Int.random(in: magnitudes, using: &random) - point
            let mantissa = point == length ? significand : significand.prefix(point) + "." + significand.dropFirst(point)
            let sign = ["", "-", "+"][Int.random(in: 0...2, using: &random)]
            return sign + mantissa + (exponent == 0 ? "" : ["e", "E"][Int.random(in: 0...1, using: &random)] + String(exponent))
        }
    }

    /// Texts of `count` random valid dates, years 0001-9999.
    static func dates(_ count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let year = Int.random(in: 1...9999, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let last = month == 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].contains(month) ? 30 : 31
            let day = Int.random(in: 1...last, using: &random)
            return String(format: "%04d-%02d-%02d", year, month, day)
        }
    }

    /// Texts at and just either side of the exact midpoint between `count` random positive binary
    /// values with `bits` significant bits and the next one up: the exact midpoint rounds to the
    /// even one, the others to the nearer, in strtod/strtof; a parser that rounds twice or reads
    /// only the first 17 or 20 digits differs.
    static func halfways(_ count: Int, bits: Int, exponents: ClosedRange<Int>, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<count).flatMap { _ -> [String] in
            let significand = (UInt64(1) << (bits - 1)) | (random.next() >> (65 - bits))
            // (2·significand + 1)·2^-fraction written exactly: times 5^fraction, over 10^fraction.
            let fraction = bits - Int.random(in: exponents, using: &random)
            var digits: [Int] = []  // little-endian
            var m = 2 * significand + 1
            while m > 0 {
                digits.append(Int(m % 10))
                m /= 10
            }
            for _ in 0..<fraction {
                var carry = 0
                for i in digits.indices {
                    let product = digits[i] * 5 + carry
                    digits[i] = product % 10
                    carry = product / 10
                }
                if carry > 0 { digits.append(carry) }
            }
            while digits.count <= fraction { digits.append(0) }
            let text =
                String(digits[fraction...].reversed().map { Character(String($0)) })
                + "." + String(digits[..<fraction].reversed().map { Character(String($0)) })
            let sign = Bool.random(using: &random) ? "-" : ""
            // An odd numerator times 5^fraction ends in 5.
            return [sign + text, sign + text + "0000001", sign + text.dropLast() + "4999999"]
        }
    }

    /// `count` texts one edit (a byte replaced, inserted or removed) away from random ones of
    /// `texts`, each edit drawn from the bytes these types are written with: near misses of
    /// the accepted forms, which the functions must refuse or read exactly as the server does.
    static func mutations(of texts: [String], count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        let alphabet = Array("0123456789+-.:eEtTzZ /_x,".utf8)
        return (0..<count).map { _ in
            var bytes = Array(texts[Int.random(in: 0..<texts.count, using: &random)].utf8)
            let at = Int.random(in: 0...bytes.count, using: &random)
            let byte = alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
            switch (Int.random(in: 0...2, using: &random), at < bytes.count) {
            case (0, true): bytes[at] = byte
            case (1, true): bytes.remove(at: at)
            default: bytes.insert(byte, at: at)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Random timestamps, with 0 to 6 fraction digits and ' ' or 'T'; `offsets` adds a random
    /// offset in each of the accepted forms.
    static func timestamps(_ count: Int, offsets: Bool, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        return zip(dates(count, seed: seed), 0..<count).map { date, _ in
            var text = date + (Bool.random(using: &random) ? " " : "T")
            text += String(
                format: "%02d:%02d:%02d", Int.random(in: 0...23, using: &random), Int.random(in: 0...59, using: &random),
                Int.random(in: 0...59, using: &random))
            let fraction = Int.random(in: 0...6, using: &random)
            if fraction > 0 { text += "." + (0..<fraction).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined() }
            if offsets {
                let (sign, hours, minutes) = (
                    Bool.random(using: &random) ? "+" : "-", Int.random(in: 0...15, using: &random), Int.random(in: 0...59, using: &random)
                )
                switch Int.random(in: 0...3, using: &random) {
                case 0: text += "Z"
                case 1: text += sign + String(format: "%02d", hours)
                case 2: text += sign + String(format: "%02d%02d", hours, minutes)
                default: text += sign + String(format: "%02d:%02d", hours, minutes)
                }
            }
            return text
        }
    }
}

extension BinaryCopyValueTests {
    /// The byte layouts, spelled out once so that a wrong layout shows here and not as a
    /// server error far from its cause.
    @Test func layouts() {
        #expect(Self.encode("2000-01-01", Self.date) == [0, 0, 0, 4, 0, 0, 0, 0])
        #expect(Self.encode("1999-12-31", Self.date) == [0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Self.encode("2000-01-01 00:00:01", Self.timestamp) == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x40])
        #expect(Self.encode("2000-01-01 01:00:00+01", Self.timestamptz) == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(Self.encode("-0.00", Self.numeric) == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2])
        // 1.50: two groups, 0001 and 5000, weight 0, display scale 2.
        #expect(Self.encode("1.50", Self.numeric) == [0, 0, 0, 12, 0, 2, 0, 0, 0, 0, 0, 2, 0, 1, 0x13, 0x88])
        // -0.00012: one group 0001 (then 2000) at weight -1, i.e. groups 0001 2000 at -1, -2.
        #expect(Self.encode("-0.00012", Self.numeric) == [0, 0, 0, 12, 0, 2, 0xFF, 0xFF, 0x40, 0, 0, 5, 0, 1, 0x07, 0xD0])
        // 20000: the trailing zero group is left out, weight 1.
        #expect(Self.encode("20000", Self.numeric) == [0, 0, 0, 10, 0, 1, 0, 1, 0, 0, 0, 0, 0, 2])
        #expect(Self.encode("-2", Self.float8) == [0, 0, 0, 8, 0xC0, 0, 0, 0, 0, 0, 0, 0])
        #expect(Self.encode("-2", Self.float4) == [0, 0, 0, 4, 0xC0, 0, 0, 0])
    }

    @Test func refusedTexts() {
        Self.expectRefused(Self.float4Refused, "float4", Self.float4)
        Self.expectRefused(Self.float8Refused, "float8", Self.float8)
        Self.expectRefused(Self.numericRefused, "numeric", Self.numeric)
        Self.expectRefused(Self.dateRefused, "date", Self.date)
        Self.expectRefused(Self.timestampRefused, "timestamp", Self.timestamp)
        Self.expectRefused(Self.timestampRefused.filter { !$0.contains("Z") && !$0.contains("+") }, "timestamptz", Self.timestamptzUTC)
        Self.expectRefused(Self.timestamptzRefused, "timestamptz", Self.timestamptz)
        Self.expectRefused(Array(Self.timestamptzRefused.dropFirst()), "timestamptz", Self.timestamptzUTC)
    }

    /// One server, one connection for all of it.
    @Test func acceptedTextsNearMissesAndTypmodsLoadAsTheServerReadsThem() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            try await Self.acceptedTexts(c)
            try await Self.nearMisses(c)
            try await Self.typmods(c)
            await c.close()
        }
    }

    /// Every accepted text of every type, loaded both ways.
    static func acceptedTexts(_ c: Connection) async throws {
        try await Self.expectSame(c, type: "float8", texts: Self.float8Texts, encode: Self.float8)
        try await Self.expectSame(
            c, type: "float8",
            texts: Self.decimals(60, digits: 25, magnitudes: -290...290, seed: 8)
                + (0..<40).map { Double(bitPattern: SplitMix64.value(seed: 9, index: $0)) }.filter(\.isNormal).map { "\($0)" },
            encode: Self.float8)
        try await Self.expectSame(c, type: "float4", texts: Self.float4Texts, encode: Self.float4)
        try await Self.expectSame(
            c, type: "float4", texts: Self.decimals(60, digits: 12, magnitudes: -35...37, seed: 4), encode: Self.float4)
        // Short texts of small exponents: the exact fast path (one multiplication or division).
        try await Self.expectSame(
            c, type: "float8", texts: Self.decimals(60, digits: 16, magnitudes: -6...16, seed: 13), encode: Self.float8)
        try await Self.expectSame(
            c, type: "float4", texts: Self.decimals(60, digits: 8, magnitudes: -3...10, seed: 14), encode: Self.float4)
        try await Self.expectSame(
            c, type: "float8", texts: Self.halfways(25, bits: 53, exponents: -60...40, seed: 11), encode: Self.float8)
        try await Self.expectSame(
            c, type: "float4", texts: Self.halfways(25, bits: 24, exponents: -30...20, seed: 12), encode: Self.float4)
        try await Self.expectSame(c, type: "numeric", texts: Self.numericTexts, encode: Self.numeric)
        let numerics = Self.decimals(60, digits: 40, magnitudes: 0...0, seed: 10).map { $0.replacingOccurrences(of: "E", with: "e") }
        try await Self.expectSame(
            c, type: "numeric", texts: numerics.map { String($0.split(separator: "e")[0]) }, encode: Self.numeric)
        try await Self.expectSame(c, type: "date", texts: Self.dateTexts + Self.dates(80, seed: 1), encode: Self.date)
        try await Self.expectSame(
            c, type: "timestamp", texts: Self.timestampTexts + Self.timestamps(60, offsets: false, seed: 2), encode: Self.timestamp)
        try await Self.expectSame(
            c, type: "timestamptz", texts: Self.timestampTexts + Self.timestamps(30, offsets: false, seed: 5),
            encode: Self.timestamptzUTC)
        // A four-digit year first is read year-month-day whatever the DateStyle's order.
        for style in ["SQL, DMY", "German", "Postgres, MDY"] {
            try await Self.expectSame(
                c, type: "date", texts: Self.dateTexts, setup: "SET TimeZone = 'UTC'; SET DateStyle = '\(style)'", encode: Self.date)
            try await Self.expectSame(
                c, type: "timestamp", texts: Self.timestampTexts, setup: "SET TimeZone = 'UTC'; SET DateStyle = '\(style)'",
                encode: Self.timestamp)
        }
        // An offset is the text's own: the session's zone, far from UTC, must not matter.
        let withOffsets = Self.timestamptzTexts + Self.timestamps(60, offsets: true, seed: 3)
        try await Self.expectSame(
            c, type: "timestamptz", texts: withOffsets, setup: "SET TimeZone = 'America/St_Johns'", encode: Self.timestamptz)
        try await Self.expectSame(c, type: "timestamptz", texts: withOffsets, encode: Self.timestamptzUTC)
    }

    /// Near misses of the accepted forms: whatever a function accepts of them loads as the
    /// server reads it (the rest it must refuse, which costs nothing but a CSV chunk).
    static func nearMisses(_ c: Connection) async throws {
        let types: [(String, [String], Encode, String)] = [
            ("float8", Self.float8Texts, Self.float8, "UTC"), ("float4", Self.float4Texts, Self.float4, "UTC"),
            ("numeric", Self.numericTexts.filter { $0.count < 60 }, Self.numeric, "UTC"), ("date", Self.dateTexts, Self.date, "UTC"),
            ("timestamp", Self.timestampTexts, Self.timestamp, "UTC"),
            ("timestamptz", Self.timestamptzTexts, Self.timestamptz, "America/St_Johns"),
            ("timestamptz", Self.timestampTexts + Self.timestamptzTexts, Self.timestamptzUTC, "UTC"),
        ]
        for (seed, (type, texts, encode, zone)) in types.enumerated() {
            let accepted = Self.mutations(of: texts, count: 400, seed: UInt64(seed)).filter { Self.encode($0, encode) != nil }
            #expect(accepted.count > 20, "\(type): enough near misses are accepted to test something")
            try await Self.expectSame(c, type: type, texts: accepted, setup: "SET TimeZone = '\(zone)'", encode: encode)
        }
    }

    /// The typmods are applied by the server's recv functions as by its input functions:
    /// the same rounding, the same refusal (22003 numeric field overflow).
    static func typmods(_ c: Connection) async throws {
        let overflow = "22003"
        try await Self.expectSameOutcome(
            c, type: "numeric(10,2)",
            cases: [
                ("1.005", nil), ("1.004", nil), ("-1.005", nil), ("1.0049999", nil), ("0.001", nil), ("-0.001", nil),
                ("12345678.99", nil),
                ("12345678.994", nil), ("99999999.995", overflow), ("123456789", overflow), ("-123456789.1", overflow), ("0", nil),
                ("00000000000000.5", nil),
            ], encode: Self.numeric)
        try await Self.expectSameOutcome(
            c, type: "numeric(5,2)",
            cases: [
                ("1000", overflow), ("999.99", nil), ("999.995", overflow), ("-999.994", nil), ("-1000.00", overflow), ("0.000", nil),
            ],
            encode: Self.numeric)
        try await Self.expectSameOutcome(
            c, type: "numeric(3,0)", cases: [("999.4", nil), ("999.5", overflow), ("-0.5", nil), ("0.49", nil)], encode: Self.numeric)
        try await Self.expectSameOutcome(
            c, type: "numeric(2,-3)", cases: [("12345", nil), ("99499", nil), ("99500", overflow), ("-500", nil)], encode: Self.numeric)
        try await Self.expectSameOutcome(
            c, type: "numeric(3,5)", cases: [("0.00123", nil), ("0.009995", overflow), ("0.01", overflow)], encode: Self.numeric)
        let timestamps: [(String, String?)] = [
            ("2000-01-01 00:00:00.5", nil), ("1999-12-31 23:59:59.5", nil), ("2000-01-01 00:00:00.499999", nil),
            ("1969-12-31 23:59:59.5", nil), ("9999-12-31 23:59:59.999999", nil), ("0001-01-01 00:00:00.5", nil),
        ]
        for type in ["timestamp(0)", "timestamp(3)", "timestamp(5)"] {
            try await Self.expectSameOutcome(c, type: type, cases: timestamps, encode: Self.timestamp)
        }
        for type in ["timestamptz(0)", "timestamptz(2)"] {
            try await Self.expectSameOutcome(
                c, type: type, cases: timestamps.map { ($0.0 + "-03:30", $0.1) } + timestamps, encode: Self.timestamptzUTC)
        }
    }
}
