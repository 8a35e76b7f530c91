import Foundation
import Testing

@testable import RehearseEngine

/// The seed's binary COPY encoder on its own: the bytes it writes for each kind of
/// field, and the values it leaves to the server (the chunk then goes as CSV).
@Suite("Binary COPY encoder")
struct BinaryCopyEncoderTests {
    /// The chunk's encoding, or nil when the encoder refuses it.
    func encode(_ csv: String, _ columns: [BinaryCopyEncoder.Column]) -> [UInt8]? {
        var out: [UInt8] = [9, 9, 9]  // left over from a last chunk: replaced
        return BinaryCopyEncoder(columns: columns).encode(Array(csv.utf8), into: &out) ? out : nil
    }

    func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// A file of `tuples`: the signature, then each tuple, then the trailer.
    func file(_ tuples: [[UInt8]]) -> [UInt8] { BinaryCopyEncoder.header + tuples.flatMap { $0 } + be(Int16(-1)) }

    @Test func writesEachKindOfField() throws {
        let csv = "7,\"a \"\"b\"\", c\",,\"\",t\n-2,\"x\ny\",{},\"\",OFF\n"
        let got = try #require(encode(csv, [.int4, .text, .text, .jsonb, .bool]))
        let first: [UInt8] =
            be(Int16(5)) + be(Int32(4)) + be(Int32(7))
            + be(Int32(8)) + Array("a \"b\", c".utf8)
            + be(Int32(-1))  // an unquoted empty field is NULL
            + be(Int32(1)) + [1]  // a quoted empty one is the empty string: jsonb's version byte and nothing
            + be(Int32(1)) + [1]
        let second: [UInt8] =
            be(Int16(5)) + be(Int32(4)) + be(Int32(-2))
            + be(Int32(3)) + Array("x\ny".utf8)
            + be(Int32(2)) + Array("{}".utf8)
            + be(Int32(1)) + [1]
            + be(Int32(1)) + [0]
        #expect(got == file([first, second]))
    }

    @Test func integersAtTheirLimits() throws {
        let csv = "-32768,-2147483648,-9223372036854775808\n+32767,0002147483647,9223372036854775807\n-0,-0,-0\n"
        let got = try #require(encode(csv, [.int2, .int4, .int8]))
        func row(_ a: Int16, _ b: Int32, _ c: Int64) -> [UInt8] {
            be(Int16(3)) + be(Int32(2)) + be(a) + be(Int32(4)) + be(b) + be(Int32(8)) + be(c)
        }
        #expect(got == file([row(.min, .min, .min), row(.max, .max, .max), row(0, 0, 0)]))
    }

    @Test func uuidsWithAndWithoutHyphens() throws {
        let bytes: [UInt8] = [0xA0, 0xEE, 0xBC, 0x99, 0x9C, 0x0B, 0x4E, 0xF8, 0xBB, 0x6D, 0x6B, 0xB9, 0xBD, 0x38, 0x0A, 0x11]
        let got = try #require(encode("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\nA0EEBC999C0B4EF8BB6D6BB9BD380A11\n", [.uuid]))
        let row = be(Int16(1)) + be(Int32(16)) + bytes
        #expect(got == file([row, row]))
    }

    @Test func booleansInEverySpellingAllOfThemRead() throws {
        let got = try #require(encode("t\nTrue\ny\nYES\non\n1\nf\nfalse\nN\nno\nOff\n0\n", [.bool]))
        let values: [UInt8] = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
        #expect(got == file(values.map { be(Int16(1)) + be(Int32(1)) + [$0] }))
    }

    /// Texts the server reads its own way (or refuses with its own error) are left to it.
    @Test(arguments: [
        (" 1", BinaryCopyEncoder.Column.int4), ("1 ", .int4), ("1.0", .int4), ("0x10", .int4), ("1_000", .int4),
        ("2147483648", .int4), ("-32769", .int2), ("9223372036854775808", .int8), ("-", .int4), ("\"\"", .int4),
        ("tr", .bool), ("o", .bool), (" t", .bool), ("truee", .bool),
        ("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", .uuid), ("a0eebc999c0b-4ef8-bb6d-6bb9bd380a11", .uuid),
        ("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", .uuid),
    ])
    func refuses(_ text: String, _ column: BinaryCopyEncoder.Column) {
        #expect(encode("\(text)\n", [column]) == nil, "\(text)")
    }

    @Test func refusesWhatTheCSVPathMustMeet() {
        #expect(encode("a\0b\n", [.text]) == nil)  // a NUL: the server's encoding check
        #expect(encode("\"a\0b\"\n", [.text]) == nil)
        #expect(encode("a\rb\n", [.text]) == nil)  // a carriage return outside quotes
        #expect(encode("a,b\n", [.text]) == nil)  // more fields than columns
        #expect(encode("a\n", [.text, .text]) == nil)  // fewer
        #expect(encode("a\"b\n", [.text]) == nil)  // a quote inside an unquoted field
        #expect(encode("\"a\"b\n", [.text]) == nil)  // text after the closing quote
        #expect(encode("\"a\n", [.text]) == nil)  // an unclosed quote
    }

    /// Short fields grow the most (an int8 of one digit takes 12 bytes for 2): the room
    /// made for the chunk grows as often as needed, and the chunk still reads whole.
    @Test func chunksThatOutgrowTheRoomMade() throws {
        let rows = 5000
        let got = try #require(encode(String(repeating: "1,2,3,4\n", count: rows), [.int8, .int8, .int8, .int8]))
        let row = be(Int16(4)) + [1, 2, 3, 4].flatMap { be(Int32(8)) + be(Int64($0)) }
        #expect(got.count == BinaryCopyEncoder.header.count + rows * row.count + 2)
        #expect(got == file(Array(repeating: row, count: rows)))
    }

    @Test func typesItConvertsByOID() {
        #expect(BinaryCopyEncoder.column(typeOID: 20, typtype: "b") == .int8)
        #expect(BinaryCopyEncoder.column(typeOID: 1043, typtype: "b") == .text)
        #expect(BinaryCopyEncoder.column(typeOID: 99999, typtype: "e") == .text)  // an enum
        #expect(BinaryCopyEncoder.column(typeOID: 19, typtype: "b") == nil)  // name: its recv refuses what its input truncates
        #expect(BinaryCopyEncoder.column(typeOID: 17, typtype: "b") == nil)  // bytea
    }

    /// `\.` alone as a record: the binary format sends it as the two characters; a chunk
    /// sent as CSV has it quoted, so that no server reads it as the end of the data.
    @Test func anEndMarkerRecordIsAValue() throws {
        let got = try #require(encode("a\n\\.\n", [.text]))
        #expect(got == file([be(Int16(1)) + be(Int32(1)) + [0x61], be(Int16(1)) + be(Int32(2)) + [0x5C, 0x2E]]))
        var chunk = Array("\\.\na\n\\.\n\"x\n\\.\n\"\n\\.\n".utf8)
        CSVEndMarker.quote(&chunk)
        #expect(String(decoding: chunk, as: UTF8.self) == "\"\\.\"\na\n\"\\.\"\n\"x\n\\.\n\"\n\"\\.\"\n")
        var plain = Array("a\\.b\n\\.x\n".utf8)
        let before = plain
        CSVEndMarker.quote(&plain)
        #expect(plain == before)
    }
}
