/// Turns byte offsets of a UTF-8 text into 1-based lines and columns.
///
/// Callers ask about offsets in increasing order (a lexer moving forward), so
/// each byte is counted once; asking about an earlier offset starts over from
/// the beginning, which is correct, only slower.
package struct LineCounter: Sendable {
    private var offset = 0
    private var line = 1
    /// Where the column was last counted on the current line, so a long line is walked once.
    private var columnOffset = 0
    private var column = 1

    package init() {}

    /// The line and column (in characters, not bytes) of `target` in `bytes`.
    package mutating func position(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        if target < offset { self = LineCounter() }
        let end = min(target, bytes.count)
        var i = offset
        while i < end {
            if bytes[i] == 0x0A {
                line += 1
                columnOffset = i + 1
                column = 1
            }
            i += 1
        }
        offset = end
        var j = columnOffset
        while j < end {
            if bytes[j] & 0xC0 != 0x80 { column += 1 }
            j += 1
        }
        columnOffset = end
        return (line, column)
    }

    package mutating func line(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        position(of: target, in: bytes).line
    }
}
