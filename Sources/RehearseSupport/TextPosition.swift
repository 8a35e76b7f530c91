/// Where something is in a text file, for messages that say `file:line:column`: used
/// for scenario files, the SQL files they name, and results documents.
package enum TextPosition {
    /// The 1-based line and column of a byte offset; columns count characters (code
    /// points), not bytes. Counted by `LineCounter`, the one line/column counter.
    package static func lineAndColumn(of offset: Int, in bytes: some Collection<UInt8>) -> (line: Int, column: Int) {
        var counter = LineCounter()
        if let position = bytes.withContiguousStorageIfAvailable({ counter.position(of: offset, in: $0) }) {
            return position
        }
        return Array(bytes).withUnsafeBufferPointer { counter.position(of: offset, in: $0) }
    }

    /// The line and column of a 1-based character position, as PostgreSQL gives an error's
    /// `position` in the statement (characters are code points, as the server counts them).
    package static func lineAndColumn(ofCharacter position: Int, in text: String) -> (line: Int, column: Int) {
        let scalars = text.unicodeScalars
        let index =
            scalars.index(scalars.startIndex, offsetBy: max(position - 1, 0), limitedBy: scalars.endIndex) ?? scalars.endIndex
        return lineAndColumn(of: text.utf8.distance(from: text.utf8.startIndex, to: index), in: text.utf8)
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8
    /// sequence; nil when the text is all UTF-8.
    package static func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            let length: Int
            switch b[i] {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return i
            }
            guard i + length <= b.count else { return i }
            for k in 1..<length where b[i + k] & 0xC0 != 0x80 { return i }
            if length > 1, String(validating: b[i..<(i + length)], as: UTF8.self) == nil { return i }
            i += length
        }
        return nil
    }
}
