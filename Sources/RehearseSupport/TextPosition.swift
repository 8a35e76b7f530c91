/// Where something is in a text file, for messages that say `file:line:column`: used
/// for scenario files, the SQL files they name, and results documents.
package enum TextPosition {
    /// The 1-based line and column of a byte offset; columns count characters (code
    /// points), not bytes.
    package static func lineAndColumn(of offset: Int, in bytes: some Collection<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for (i, byte) in bytes.enumerated() {
            if i >= offset { break }
            if byte == 10 {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
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
