/// Splits PostgreSQL scripts: statements (aware of quotes, dollar quoting,
/// comments), pg_dump's `COPY … FROM stdin` data blocks, and psql
/// meta-commands (an error, naming the line).
struct SQLScript {
    enum Item: Sendable {
        /// A run of ordinary statements, sent as one simple-protocol query.
        case statements(text: String, firstLine: Int)
        /// `COPY … FROM stdin;` and its data (without the `\.` line).
        case copyFromStdin(statement: String, data: String, line: Int, dataLine: Int)
    }

    struct Statement: Sendable, Equatable {
        var text: String
        var line: Int
        var column: Int
    }

    /// Splits a script into items; psql meta-commands other than COPY data are errors.
    static func parse(_ text: String) throws(SQLScriptError) -> [Item] {
        let bytes = Array(text.utf8)
        var items: [Item] = []
        var lexer = Lexer(bytes: bytes)
        var runStart = 0
        var runLine = 1
        while let statement = lexer.nextStatement() {
            if statement.isMetaCommand {
                throw SQLScriptError(
                    line: statement.line, column: statement.column,
                    message:
                        "psql meta-command \(String(decoding: bytes[statement.start..<min(statement.end, statement.start + 20)], as: UTF8.self).split(separator: "\n").first ?? "") is not supported; only SQL and COPY … FROM stdin data blocks are"
                )
            }
            let body = bytes[statement.start..<statement.end]
            if Self.isCopyFromStdin(body) {
                if runStart < statement.start {
                    let chunk = String(decoding: bytes[runStart..<statement.start], as: UTF8.self)
                    if !isBlank(chunk) { items.append(.statements(text: chunk, firstLine: runLine)) }
                }
                // Data runs from the next line to a line that is exactly `\.`.
                var position = lexer.position
                while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
                if position < bytes.count { position += 1 }
                let dataStart = position
                let dataLine = lexer.line(at: dataStart)
                var dataEnd = bytes.count
                var next = bytes.count
                var terminated = false
                var lineStart = dataStart
                while lineStart < bytes.count {
                    var lineEnd = lineStart
                    while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                    var content = lineEnd
                    if content > lineStart && bytes[content - 1] == UInt8(ascii: "\r") { content -= 1 }
                    if content - lineStart == 2 && bytes[lineStart] == UInt8(ascii: "\\") && bytes[lineStart + 1] == UInt8(ascii: ".") {
                        dataEnd = lineStart
                        next = min(lineEnd + 1, bytes.count)
                        terminated = true
                        break
                    }
                    lineStart = lineEnd + 1
                }
                guard terminated else {
                    throw SQLScriptError(
                        line: statement.line, column: statement.column, message: "COPY … FROM stdin data block has no terminating \\. line")
                }
                items.append(
                    .copyFromStdin(
                        statement: String(decoding: body, as: UTF8.self), data: String(decoding: bytes[dataStart..<dataEnd], as: UTF8.self),
                        line: statement.line, dataLine: dataLine))
                lexer.position = next
                runStart = next
                runLine = lexer.line(at: next)
            }
        }
        if runStart < bytes.count {
            let chunk = String(decoding: bytes[runStart...], as: UTF8.self)
            if !isBlank(chunk) { items.append(.statements(text: chunk, firstLine: runLine)) }
        }
        return items
    }

    /// Splits a script into single statements (comments kept with the statement they precede).
    static func statements(_ text: String) -> [Statement] {
        let bytes = Array(text.utf8)
        var lexer = Lexer(bytes: bytes)
        var result: [Statement] = []
        while let s = lexer.nextStatement() {
            let body = String(decoding: bytes[s.start..<s.end], as: UTF8.self)
            if !isBlank(stripComments(body)) { result.append(Statement(text: body, line: s.line, column: s.column)) }
        }
        return result
    }

    /// The `$n` parameters used outside strings, identifiers and comments.
    static func parameterNumbers(in statement: String) -> Set<Int> {
        let bytes = Array(statement.utf8)
        var lexer = Lexer(bytes: bytes)
        var numbers = Set<Int>()
        lexer.onParameter = { numbers.insert($0) }
        while lexer.nextStatement() != nil {}
        return numbers
    }

    static func isBlank(_ text: String) -> Bool {
        text.allSatisfy { $0.isWhitespace || $0 == ";" }
    }

    static func stripComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.hasPrefix("--") ? "" : String(line) }.joined(separator: "\n")
    }

    static func isCopyFromStdin(_ body: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: body, as: UTF8.self)
        let words = stripComments(text).uppercased().split(whereSeparator: { $0.isWhitespace || $0 == ";" })
        guard words.first == "COPY" else { return false }
        guard let from = words.lastIndex(of: "FROM"), from + 1 < words.count else { return false }
        return words[from + 1] == "STDIN"
    }
}

struct SQLScriptError: Error, Sendable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String
    var description: String { "\(line):\(column): \(message)" }
}
