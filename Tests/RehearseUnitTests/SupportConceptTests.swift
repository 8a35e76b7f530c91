import RehearseSupport
import Testing

/// The one implementation of each small concept (issue 16): positions, UTF-8, the seeded generator.
@Suite("One of each concept")
struct SupportConceptTests {
    @Test func aServerPositionCountsCodePointsAsPostgreSQLDoes() {
        // "e" + U+0301 is one grapheme but two characters for the server.
        let statement = "SELECT 1;\r\nSELECT e\u{301}, oops"
        let position = Array(statement.unicodeScalars).firstIndex(of: "o")! + 1
        #expect(TextPosition.lineAndColumn(ofCharacter: position, in: statement) == (2, 12))
        #expect(TextPosition.lineAndColumn(ofCharacter: 1, in: statement) == (1, 1))
        #expect(TextPosition.lineAndColumn(ofCharacter: 1000, in: statement) == (2, 16))  // past the end: its end
    }

    @Test func byteOffsetsAndTheIncrementalCounterAgree() {
        let bytes = Array("ab\nçd\n\néf".utf8)
        var counter = LineCounter()
        for offset in 0...bytes.count {
            let incremental = bytes.withUnsafeBufferPointer { counter.position(of: offset, in: $0) }
            #expect(TextPosition.lineAndColumn(of: offset, in: bytes) == incremental)
        }
    }

    @Test func utf8ValidationFindsTheFirstIllFormedSequence() {
        #expect(UTF8Validation.firstInvalid(Array("plain ASCII, then é and 日本 and 🎉".utf8)) == nil)
        #expect(UTF8Validation.firstInvalid([0x41, 0xE0, 0x80, 0x80]) == 1)  // overlong
        #expect(UTF8Validation.firstInvalid([0x41, 0x42, 0xED, 0xA0, 0x80]) == 2)  // surrogate
        #expect(UTF8Validation.firstInvalid([0xF4, 0x90, 0x80, 0x80]) == 0)  // past U+10FFFF
        #expect(UTF8Validation.firstInvalid(Array("abcdefghij".utf8) + [0xE2, 0x82]) == 10)  // cut short
        #expect(UTF8Validation.firstInvalid([0xC0, 0x41]) == 0)
        let bytes: [UInt8] = [0xFF, 0x41, 0x42, 0xFF]
        #expect(bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalid($0, from: 1, to: 3) } == nil)
    }

    @Test func splitMix64IsTheReferenceSequence() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        var sequence = SplitMix64(seed: 42)
        for index in 0..<5 as Range<UInt64> {
            #expect(SplitMix64.value(seed: 42, index: index) == sequence.next())
        }
    }
}
