import Testing
import RehearseSupport

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
}
