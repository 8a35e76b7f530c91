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
}
