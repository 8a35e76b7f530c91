import RehearseSupport

/// Splits PostgreSQL scripts the way psql reads them: statements (aware of
/// quotes, dollar quoting and comments), pg_dump's `COPY … FROM stdin` data
/// blocks, and psql meta-commands, which are errors naming their line.
package struct SQLScript {
    package enum Item: Sendable, Equatable {
        /// A run of consecutive ordinary statements, exactly as in the script
        /// from the start of `firstLine`, to be sent as one simple-protocol query
        /// (a server error position inside `text` maps back to the file).
        case statements(text: String, firstLine: Int)
        /// `COPY … FROM stdin` (without its semicolon) and its data lines, each
        /// ending in a newline, without the closing `\.` line.
        case copyFromStdin(statement: String, data: String, line: Int, dataLine: Int)
    }

    /// One statement without its terminating semicolon, and where it starts.
    package struct Statement: Sendable, Equatable {
        package var text: String
        package var line: Int
        package var column: Int
    }

    /// Splits a script into runs of statements and COPY data blocks; psql
    /// meta-commands, unterminated quotes or comments and COPY data without
    /// its `\.` line are errors.
    package static func parse(_ text: String) throws(SQLScriptError) -> [Item] {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBufferPointer { buffer -> Result<[Item], SQLScriptError> in
            do throws(SQLScriptError) {
                return .success(try parse(buffer, lexer: SQLLexer(bytes: bytes)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Splits a script into single statements, for running them one at a
    /// time (`CREATE INDEX CONCURRENTLY` cannot share a query) or preparing
    /// them. Never fails: what the lexer cannot make sense of goes to the
    /// server as it stands, and the server's error names it.
    package static func statements(_ text: String) -> [Statement] {
        let bytes = Array(text.utf8)
        var lexer = SQLLexer(bytes: bytes)
        var lines = LineCounter()
        var result: [Statement] = []
        bytes.withUnsafeBufferPointer { b in
            while let span = lexer.next() {
                let (line, column) = lines.position(of: span.start, in: b)
                result.append(Statement(text: string(b, span.start, span.end), line: line, column: column))
            }
        }
        return result
    }

    /// The `$n` parameter numbers used outside strings, quoted identifiers,
    /// dollar quotes and comments.
    package static func parameterNumbers(in statement: String) -> Set<Int> {
        var lexer = SQLLexer(bytes: Array(statement.utf8))
        lexer.collectsParameters = true
        while lexer.next() != nil {}
        return lexer.parameters
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>, lexer: SQLLexer) throws(SQLScriptError) -> [Item] {
        var lexer = lexer
        var lines = LineCounter()
        var items: [Item] = []
        var runStart = 0
        var runLine = 1
        var runEnd: Int?

        func fail(_ offset: Int, _ message: String) -> SQLScriptError {
            let (line, column) = lines.position(of: offset, in: b)
            return SQLScriptError(line: line, column: column, message: message)
        }

        while let span = lexer.next() {
            if span.isMetaCommand {
                var nameEnd = span.start + 1
                while nameEnd < span.end && !isSpace(b[nameEnd]) { nameEnd += 1 }
                throw fail(
                    span.start,
                    "psql meta-command `\(string(b, span.start, nameEnd))` is not supported: a script holds SQL "
                        + "and COPY … FROM stdin data blocks only")
            }
            if let (offset, what) = span.unterminated {
                throw fail(offset, "\(what) is not closed before the end of the script")
            }
            if let offset = span.backslash {
                throw fail(offset, "a backslash outside quotes (a psql meta-command inside a statement) is not supported")
            }
            guard span.isCopyFromStdin else {
                runEnd = span.next
                continue
            }
            guard span.terminated else {
                throw fail(span.start, "COPY … FROM stdin needs a semicolon, then its data lines and a line `\\.`")
            }
            // The data starts on the line after the semicolon; only a comment may follow it there.
            var lineEnd = span.next
            while lineEnd < b.count && b[lineEnd] != 0x0A { lineEnd += 1 }
            var rest = span.next
            while rest < lineEnd && isSpace(b[rest]) { rest += 1 }
            if rest < lineEnd && !(b[rest] == 0x2D && rest + 1 < lineEnd && b[rest + 1] == 0x2D) {
                throw fail(rest, "nothing but a comment may follow `COPY … FROM stdin;` on its line: the data starts on the next")
            }
            let dataStart = min(lineEnd + 1, b.count)
            guard let (dataEnd, next) = endOfCopyData(b, from: dataStart) else {
                throw fail(span.start, "the data of COPY … FROM stdin has no closing line `\\.`")
            }
            if let end = runEnd {
                items.append(.statements(text: string(b, runStart, end), firstLine: runLine))
                runEnd = nil
            }
            let line = lines.line(of: span.start, in: b)
            let dataLine = lines.line(of: dataStart, in: b)
            items.append(
                .copyFromStdin(
                    statement: string(b, span.start, span.end), data: string(b, dataStart, dataEnd), line: line,
                    dataLine: dataLine))
            lexer.position = next
            runStart = next
            runLine = lines.line(of: next, in: b)
        }
        if let end = runEnd {
            items.append(.statements(text: string(b, runStart, end), firstLine: runLine))
        }
        return items
    }

    /// Where the data block starting at `from` ends (the start of its `\.` line)
    /// and where the script goes on (after that line); nil without a `\.` line.
    private static func endOfCopyData(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> (end: Int, next: Int)? {
        var lineStart = from
        let n = b.count
        while lineStart < n {
            var lineEnd = lineStart
            while lineEnd < n && b[lineEnd] != 0x0A { lineEnd += 1 }
            if b[lineStart] == 0x5C && lineStart + 1 < n && b[lineStart + 1] == 0x2E {
                let length = lineEnd - lineStart
                if length == 2 || (length == 3 && b[lineStart + 2] == 0x0D) {
                    return (lineStart, min(lineEnd + 1, n))
                }
            }
            lineStart = lineEnd + 1
        }
        return nil
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B }

    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
    }
}
