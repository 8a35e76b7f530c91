/// A byte-level lexer for PostgreSQL scripts that finds where statements end,
/// following psql's rules (psqlscan.l): a semicolon ends a statement unless it
/// is inside a string, quoted identifier, dollar quote, comment, parentheses,
/// or the `BEGIN … END` body of a `CREATE FUNCTION|PROCEDURE`.
///
/// `standard_conforming_strings` is assumed on (the default since 9.1): a
/// backslash escapes only in `E'…'` strings.
struct SQLLexer: Sendable {
    /// One statement (or one psql meta-command line) as byte offsets.
    struct Span: Sendable {
        /// The first byte of the statement's first token (or of the backslash).
        var start: Int
        /// Just past the statement's last token, before its semicolon.
        var end: Int
        /// Just past the semicolon, or `end` when the script ended first.
        var next: Int
        var terminated: Bool
        var isMetaCommand = false
        var isCopyFromStdin = false
        /// A backslash outside quotes inside the statement: a psql meta-command mid-statement.
        var backslash: Int?
        /// An opening quote or comment that is never closed, and what it is.
        var unterminated: (offset: Int, what: String)?
    }

    let bytes: [UInt8]
    var position = 0
    /// Collect `$n` parameter numbers while lexing (off unless asked for).
    var collectsParameters = false
    private(set) var parameters = Set<Int>()

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The next statement, or nil when only whitespace and comments remain.
    /// Empty statements (a lone `;`) are skipped.
    mutating func next() -> Span? {
        let bytes = self.bytes  // a second reference, so `self` can change while the buffer is borrowed
        return bytes.withUnsafeBufferPointer { buffer in next(in: buffer) }
    }

    private enum CopyState { case none, copy, from, stdin }

    private mutating func next(in b: UnsafeBufferPointer<UInt8>) -> Span? {
        let n = b.count
        var pos = position
        defer { position = pos }
        var span: Span?
        var parenDepth = 0
        var beginDepth = 0
        var identifierCount = 0
        var words: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var tokenCount = 0
        var copy = CopyState.none

        func token(_ start: Int, _ end: Int) {
            if span == nil {
                span = Span(start: start, end: end, next: end, terminated: false)
            } else {
                span?.end = end
                span?.next = end
            }
        }
        /// Called only after `token`, so there is always a span to mark.
        func unterminated(_ start: Int, _ what: String) {
            if span?.unterminated == nil { span?.unterminated = (start, what) }
        }
        /// psql's heuristic for SQL-standard function bodies (`BEGIN ATOMIC … END`).
        func word(_ start: Int, _ end: Int) {
            let first = b[start] | 0x20
            if identifierCount < 4 {
                let tracked =
                    Self.equal(b, start, end, "create") || Self.equal(b, start, end, "function")
                    || Self.equal(b, start, end, "procedure") || Self.equal(b, start, end, "or")
                    || Self.equal(b, start, end, "replace")
                let letter = tracked ? first : 0
                switch identifierCount {
                case 0: words.0 = letter
                case 1: words.1 = letter
                case 2: words.2 = letter
                default: words.3 = letter
                }
            }
            identifierCount += 1
            let routine =
                words.0 == 0x63
                && (words.1 == 0x66 || words.1 == 0x70
                    || (words.1 == 0x6F && words.2 == 0x72 && (words.3 == 0x66 || words.3 == 0x70)))
            if routine && parenDepth == 0 {
                if Self.equal(b, start, end, "begin") {
                    beginDepth += 1
                } else if Self.equal(b, start, end, "case") {
                    if beginDepth >= 1 { beginDepth += 1 }
                } else if Self.equal(b, start, end, "end") {
                    if beginDepth > 0 { beginDepth -= 1 }
                }
            }
            guard parenDepth == 0 else { return }
            switch copy {
            case .none: if tokenCount == 1 && Self.equal(b, start, end, "copy") { copy = .copy }
            case .copy: if Self.equal(b, start, end, "from") { copy = .from }
            case .from: copy = Self.equal(b, start, end, "stdin") ? .stdin : .copy
            case .stdin: break
            }
        }
        /// Any token other than a word at the top level breaks `FROM STDIN`.
        func other() {
            if parenDepth == 0 && copy == .from { copy = .copy }
        }

        while pos < n {
            let c = b[pos]
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
                pos += 1
            case 0x2D where pos + 1 < n && b[pos + 1] == 0x2D:  // -- comment
                while pos < n && b[pos] != 0x0A { pos += 1 }
            case 0x2F where pos + 1 < n && b[pos + 1] == 0x2A:  // /* comment */, nested
                let start = pos
                var depth = 0
                var closed = false
                while pos < n {
                    if b[pos] == 0x2F && pos + 1 < n && b[pos + 1] == 0x2A {
                        depth += 1
                        pos += 2
                    } else if b[pos] == 0x2A && pos + 1 < n && b[pos + 1] == 0x2F {
                        depth -= 1
                        pos += 2
                        if depth == 0 {
                            closed = true
                            break
                        }
                    } else {
                        pos += 1
                    }
                }
                if !closed {
                    token(start, n)
                    unterminated(start, "block comment")
                }
            case 0x27:  // 'string'
                let start = pos
                let closed = Self.skipQuoted(b, &pos, quote: 0x27, backslashEscapes: false)
                tokenCount += 1
                token(start, pos)
                other()
                if !closed { unterminated(start, "quoted string") }
            case 0x22:  // "identifier"
                let start = pos
                let closed = Self.skipQuoted(b, &pos, quote: 0x22, backslashEscapes: false)
                tokenCount += 1
                token(start, pos)
                other()
                if !closed { unterminated(start, "quoted identifier") }
            case 0x24:  // $n, $tag$ … $tag$, or a lone $
                let start = pos
                tokenCount += 1
                if pos + 1 < n && Self.isDigit(b[pos + 1]) {
                    var value = 0
                    pos += 1
                    while pos < n && Self.isDigit(b[pos]) {
                        if value < Int.max / 10 - 10 { value = value * 10 + Int(b[pos] - 0x30) }
                        pos += 1
                    }
                    if collectsParameters { parameters.insert(value) }
                    token(start, pos)
                    other()
                } else if let tagEnd = Self.dollarTag(b, at: pos) {
                    let closed = Self.skipDollarQuote(b, &pos, tagEnd: tagEnd)
                    token(start, pos)
                    other()
                    if !closed { unterminated(start, "dollar-quoted string") }
                } else {
                    pos += 1
                    token(start, pos)
                    other()
                }
            case 0x5C:  // backslash: a psql meta-command
                guard var statement = span else {
                    let start = pos
                    while pos < n && b[pos] != 0x0A { pos += 1 }
                    var end = pos
                    while end > start && (b[end - 1] == 0x0D || b[end - 1] == 0x20 || b[end - 1] == 0x09) { end -= 1 }
                    return Span(start: start, end: end, next: pos, terminated: true, isMetaCommand: true)
                }
                if statement.backslash == nil { statement.backslash = pos }
                span = statement
                pos += 1
                token(pos - 1, pos)
            case 0x3B:  // ;
                if parenDepth == 0 && beginDepth == 0 {
                    pos += 1
                    guard var statement = span else { continue }  // an empty statement
                    statement.next = pos
                    statement.terminated = true
                    statement.isCopyFromStdin = copy == .stdin
                    return statement
                }
                tokenCount += 1
                token(pos, pos + 1)
                pos += 1
            case 0x28:  // (
                tokenCount += 1
                other()
                parenDepth += 1
                token(pos, pos + 1)
                pos += 1
            case 0x29:  // )
                tokenCount += 1
                parenDepth = max(0, parenDepth - 1)
                token(pos, pos + 1)
                pos += 1
            case _ where Self.isIdentifierStart(c):
                let start = pos
                tokenCount += 1
                let next = pos + 1 < n ? b[pos + 1] : 0
                if (c | 0x20) == 0x65 && next == 0x27 {  // E'…' with backslash escapes
                    pos += 1
                    let closed = Self.skipQuoted(b, &pos, quote: 0x27, backslashEscapes: true)
                    token(start, pos)
                    other()
                    if !closed { unterminated(start, "quoted string") }
                    continue
                }
                pos += 1
                while pos < n && Self.isIdentifierPart(b[pos]) { pos += 1 }
                token(start, pos)
                word(start, pos)
            case _ where Self.isDigit(c):
                let start = pos
                tokenCount += 1
                // Numbers, including 1.5e-3, 0x1F and 1_000; a following $ is not a quote.
                while pos < n && (Self.isIdentifierPart(b[pos]) || b[pos] == 0x2E) { pos += 1 }
                token(start, pos)
                other()
            default:
                tokenCount += 1
                token(pos, pos + 1)
                other()
                pos += 1
            }
        }
        span?.isCopyFromStdin = copy == .stdin
        return span
    }

    /// Skips a quoted token starting at its opening quote; false when it never closes.
    private static func skipQuoted(
        _ b: UnsafeBufferPointer<UInt8>, _ pos: inout Int, quote: UInt8, backslashEscapes: Bool
    ) -> Bool {
        let n = b.count
        pos += 1
        while pos < n {
            let c = b[pos]
            if c == 0x5C && backslashEscapes {
                pos += 2
                continue
            }
            if c == quote {
                if pos + 1 < n && b[pos + 1] == quote {
                    pos += 2
                    continue
                }
                pos += 1
                return true
            }
            pos += 1
        }
        pos = n
        return false
    }

    /// The offset of the closing `$` of a dollar-quote opener (`$$`, `$tag$`) at `pos`.
    private static func dollarTag(_ b: UnsafeBufferPointer<UInt8>, at pos: Int) -> Int? {
        var i = pos + 1
        guard i < b.count else { return nil }
        if b[i] == 0x24 { return i }
        guard isIdentifierStart(b[i]) else { return nil }
        while i < b.count && (isIdentifierStart(b[i]) || isDigit(b[i])) { i += 1 }
        return i < b.count && b[i] == 0x24 ? i : nil
    }

    /// Skips `$tag$ … $tag$`; false when the closing tag never comes.
    private static func skipDollarQuote(_ b: UnsafeBufferPointer<UInt8>, _ pos: inout Int, tagEnd: Int) -> Bool {
        let tagStart = pos
        let tagLength = tagEnd - tagStart + 1
        let n = b.count
        var i = tagEnd + 1
        while i + tagLength <= n {
            if b[i] == 0x24 {
                var k = 1
                while k < tagLength && b[i + k] == b[tagStart + k] { k += 1 }
                if k == tagLength {
                    pos = i + tagLength
                    return true
                }
            }
            i += 1
        }
        pos = n
        return false
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80
    }

    /// Identifiers may contain `$` (so `a$1` is one name, not a parameter).
    static func isIdentifierPart(_ c: UInt8) -> Bool {
        isIdentifierStart(c) || isDigit(c) || c == 0x24
    }

    /// ASCII case-insensitive comparison of `b[start..<end]` with a lowercase word.
    static func equal(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        guard end - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<(end - start) where b[start + k] | 0x20 != w[k] { return false }
        return true
    }
}
