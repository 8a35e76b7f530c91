/// A byte-level lexer for PostgreSQL scripts: finds where statements end.
struct Lexer {
    struct Span {
        var start: Int
        var end: Int
        var line: Int
        var column: Int
        var isMetaCommand: Bool
    }

    let bytes: [UInt8]
    var position = 0
    var onParameter: ((Int) -> Void)?
    private var lineStarts: [Int] = [0]

    init(bytes: [UInt8]) {
        self.bytes = bytes
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { lineStarts.append(i + 1) }
    }

    func line(at offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    func column(at offset: Int) -> Int { offset - lineStarts[line(at: offset) - 1] + 1 }

    /// The next statement (up to and including its semicolon), or nil at the end.
    mutating func nextStatement() -> Span? {
        // Skip whitespace between statements.
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
        guard position < bytes.count else { return nil }
        let start = position
        // A backslash at a statement's start is a psql meta-command.
        if bytes[position] == UInt8(ascii: "\\") {
            while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
            return Span(start: start, end: position, line: line(at: start), column: column(at: start), isMetaCommand: true)
        }
        var depth = 0  // parentheses, so CREATE RULE … (a; b) stays one statement
        while position < bytes.count {
            let b = bytes[position]
            switch b {
            case UInt8(ascii: "'"):
                let escapes =
                    position > 0 && (bytes[position - 1] == UInt8(ascii: "E") || bytes[position - 1] == UInt8(ascii: "e"))
                    && (position < 2 || !isIdentifier(bytes[position - 2]))
                skipQuoted(UInt8(ascii: "'"), backslashEscapes: escapes)
                continue
            case UInt8(ascii: "\""):
                skipQuoted(UInt8(ascii: "\""), backslashEscapes: false)
                continue
            case UInt8(ascii: "-") where next(1) == UInt8(ascii: "-"):
                while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
                continue
            case UInt8(ascii: "/") where next(1) == UInt8(ascii: "*"):
                skipBlockComment()
                continue
            case UInt8(ascii: "$"):
                if let n = parameterNumber() {
                    onParameter?(n)
                    continue
                }
                if skipDollarQuote() { continue }
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth = max(0, depth - 1)
            case UInt8(ascii: ";") where depth == 0:
                position += 1
                return Span(start: start, end: position, line: line(at: start), column: column(at: start), isMetaCommand: false)
            default: break
            }
            position += 1
        }
        return Span(start: start, end: position, line: line(at: start), column: column(at: start), isMetaCommand: false)
    }

    private func next(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 12 }

    private func isIdentifier(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 128
    }

    private mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool) {
        position += 1
        while position < bytes.count {
            let b = bytes[position]
            if backslashEscapes && b == UInt8(ascii: "\\") {
                position += 2
                continue
            }
            if b == quote {
                if next(1) == quote {
                    position += 2
                    continue
                }
                position += 1
                return
            }
            position += 1
        }
    }

    private mutating func skipBlockComment() {
        var depth = 0
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "/") && next(1) == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if bytes[position] == UInt8(ascii: "*") && next(1) == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return }
            } else {
                position += 1
            }
        }
    }

    /// `$1`, `$12` (not part of an identifier); advances past it.
    private mutating func parameterNumber() -> Int? {
        if position > 0 && isIdentifier(bytes[position - 1]) { return nil }
        var end = position + 1
        var value = 0
        while end < bytes.count, bytes[end] >= 48, bytes[end] <= 57 {
            value = value * 10 + Int(bytes[end] - 48)
            end += 1
        }
        guard end > position + 1 else { return nil }
        position = end
        return value
    }

    /// `$tag$ … $tag$`; advances past it when it is one.
    private mutating func skipDollarQuote() -> Bool {
        if position > 0 && isIdentifier(bytes[position - 1]) { return false }
        var end = position + 1
        while end < bytes.count, isIdentifier(bytes[end]), !(bytes[end] >= 48 && bytes[end] <= 57 && end == position + 1) {
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "$") else { return false }
        let tag = Array(bytes[position...end])
        var search = end + 1
        while search + tag.count <= bytes.count {
            if bytes[search] == UInt8(ascii: "$") && Array(bytes[search..<(search + tag.count)]) == tag {
                position = search + tag.count
                return true
            }
            search += 1
        }
        position = bytes.count
        return true
    }
}
