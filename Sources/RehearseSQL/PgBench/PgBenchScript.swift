import RehearseSupport

/// A pgbench script (`pgbench -f FILE`), parsed as pgbench parses it: SQL commands end at
/// a semicolon outside quotes, comments and parentheses (psql's rules) or where a
/// backslash command starts; `:name` in SQL becomes a parameter `$n`, one per occurrence
/// (pgbench `-M prepared`); backslash commands run between them. `\if` chains are
/// compiled to branches and jumps, so running a script is a walk over `commands`.
package struct PgBenchScript: Sendable {
    /// The script's path as shown in messages.
    package var file: String
    package var commands: [Command]
    /// The SQL commands, in order; `Kind.sql` indexes them.
    package var sql: [SQL]

    package struct SQL: Sendable, Equatable {
        /// The statement as prepared, `:name` replaced by `$1`, `$2`, …
        package var text: String
        /// The variable slot of each parameter, `$1` first.
        package var parameters: [Int]
        /// The name of each parameter's variable, for messages.
        package var parameterNames: [String]
        /// `\gset [prefix]` after the command: store its one row's columns as variables.
        package var gset: String?
        package var line: Int
        package var column: Int
    }

    package struct Command: Sendable {
        package var kind: Kind
        package var line: Int
        package var column: Int
    }

    package enum Kind: Sendable {
        case sql(Int)
        case set(slot: Int, PgBenchExpression)
        case sleep(Sleep, unitMicroseconds: Int64)
        /// `\if`/`\elif`: when the condition is false, continue at `ifFalse`.
        case branch(PgBenchExpression, ifFalse: Int)
        /// The end of a taken branch: continue after its `\endif`.
        case jump(Int)
    }

    package enum Sleep: Sendable, Equatable {
        case constant(Int64)
        case variable(slot: Int, name: String)
    }

    /// pgbench's limit on a command's parameters (MAX_ARGS - 1).
    static let maxParameters = 255

    /// Backslash commands pgbench has and rehearse does not run.
    static let unsupported: [String: String] = [
        "shell": "runs a shell command", "setshell": "runs a shell command", "aset": "stores every result of a compound command",
        "startpipeline": "opens a pipeline", "syncpipeline": "syncs a pipeline", "endpipeline": "closes a pipeline",
    ]

    /// Parses `text`; variable names are given slots in `variables` (shared by the scripts
    /// of one workload, as pgbench shares a client's variables between its scripts).
    package static func parse(
        _ text: String, file: String, variables: inout PgBenchVariables
    ) throws(PgBenchScriptError) -> PgBenchScript {
        var parser = PgBenchScriptParser(text: text, file: file, variables: variables)
        let script = try parser.parse()
        variables = parser.variables
        return script
    }
}

/// The work of `PgBenchScript.parse`.
struct PgBenchScriptParser {
    private let original: [UInt8]
    /// The script with each meta-command's line continuations (`\` newline) blanked out.
    private var bytes: [UInt8]
    private let file: String
    var variables: PgBenchVariables
    private var commands: [PgBenchScript.Command] = []
    private var sql: [PgBenchScript.SQL] = []

    private struct Frame {
        var pendingBranch: Int?
        var jumps: [Int] = []
        var sawElse = false
        var offset: Int
    }
    private var frames: [Frame] = []

    init(text: String, file: String, variables: PgBenchVariables) {
        original = Array(text.utf8)
        bytes = original
        self.file = file
        self.variables = variables
    }

    private func error(_ offset: Int, _ message: String) -> PgBenchScriptError {
        let (line, column) = TextPosition.lineAndColumn(of: min(offset, original.count), in: original)
        return PgBenchScriptError(file: file, line: line, column: column, message: message)
    }

    private func position(_ offset: Int) -> (line: Int, column: Int) {
        TextPosition.lineAndColumn(of: min(offset, original.count), in: original)
    }

    mutating func parse() throws(PgBenchScriptError) -> PgBenchScript {
        var lexer = SQLLexer(bytes: original)
        var position = 0
        while true {
            lexer.position = position
            guard let span = lexer.next() else { break }
            if span.isMetaCommand {
                position = try metaCommand(at: span.start)
                continue
            }
            if let (offset, what) = span.unterminated { throw error(offset, "unterminated \(what)") }
            var end = span.end
            position = span.next
            if let backslash = span.backslash {
                if backslash + 1 < original.count && original[backslash + 1] == 0x3B {
                    throw error(backslash, "\\; (several statements in one command) cannot be prepared, as pgbench -M prepared refuses it")
                }
                end = backslash
                while end > span.start && [0x20, 0x09, 0x0A, 0x0D].contains(original[end - 1]) { end -= 1 }
                position = backslash
            }
            try addSQL(start: span.start, end: end)
        }
        if let frame = frames.last { throw error(frame.offset, "\\if without a matching \\endif") }
        if commands.isEmpty { throw error(0, "the script has no commands") }
        return PgBenchScript(file: file, commands: commands, sql: sql)
    }

    /// pgbench's `parseQuery`: every `:name` becomes the next `$n` (not only outside quotes,
    /// as pgbench does it); `::` casts and `:1` are left as they are.
    private mutating func addSQL(start: Int, end: Int) throws(PgBenchScriptError) {
        var text: [UInt8] = []
        var parameters: [Int] = []
        var names: [String] = []
        var p = start
        while p < end {
            let c = original[p]
            guard c == 0x3A else {
                text.append(c)
                p += 1
                continue
            }
            var q = p + 1
            if q < end, Self.startsName(original[q]) {
                while q < end && Self.continuesName(original[q]) { q += 1 }
                if parameters.count == PgBenchScript.maxParameters {
                    throw error(p, "statement has too many arguments (maximum is \(PgBenchScript.maxParameters))")
                }
                let name = String(decoding: original[(p + 1)..<q], as: UTF8.self)
                parameters.append(variables.slot(name))
                names.append(name)
                text.append(contentsOf: Array("$\(parameters.count)".utf8))
                p = q
            } else {
                while p < end && original[p] == 0x3A {
                    text.append(0x3A)
                    p += 1
                }
            }
        }
        let (line, column) = position(start)
        sql.append(
            PgBenchScript.SQL(
                text: String(decoding: text, as: UTF8.self), parameters: parameters, parameterNames: names, gset: nil,
                line: line, column: column))
        commands.append(PgBenchScript.Command(kind: .sql(sql.count - 1), line: line, column: column))
    }

    private static func startsName(_ c: UInt8) -> Bool { c >= 0x80 || c == 95 || (c | 0x20 >= 97 && c | 0x20 <= 122) }
    private static func continuesName(_ c: UInt8) -> Bool { startsName(c) || (c >= 48 && c <= 57) }
    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B }

    /// One backslash command from `start` (its backslash) to the end of its line, line
    /// continuations included. Returns where the next command may start.
    private mutating func metaCommand(at start: Int) throws(PgBenchScriptError) -> Int {
        var end = start
        while end < bytes.count && bytes[end] != 0x0A {
            if bytes[end] == 0x5C && end + 1 < bytes.count && bytes[end + 1] == 0x0A && end > start {
                bytes[end] = 0x20
                bytes[end + 1] = 0x20
                end += 2
                continue
            }
            if bytes[end] == 0x5C && end + 2 < bytes.count && bytes[end + 1] == 0x0D && bytes[end + 2] == 0x0A && end > start {
                bytes[end] = 0x20
                bytes[end + 1] = 0x20
                bytes[end + 2] = 0x20
                end += 3
                continue
            }
            end += 1
        }
        let next = end
        // Words: (offset, text).
        var words: [(offset: Int, text: String)] = []
        var p = start + 1
        while p < end {
            if Self.isSpace(bytes[p]) {
                p += 1
                continue
            }
            let wordStart = p
            while p < end && !Self.isSpace(bytes[p]) { p += 1 }
            words.append((wordStart, String(decoding: bytes[wordStart..<p], as: UTF8.self)))
        }
        guard let nameWord = words.first, nameWord.offset == start + 1 else {
            throw error(start, "invalid command \\")
        }
        let name = nameWord.text.lowercased()
        let (line, column) = position(start)
        func add(_ kind: PgBenchScript.Kind) {
            commands.append(PgBenchScript.Command(kind: kind, line: line, column: column))
        }
        func expression(from offset: Int) throws(PgBenchScriptError) -> PgBenchExpression {
            var parser = PgBenchExpressionParser(bytes: bytes, start: offset, end: end, variables: variables)
            do {
                let parsed = try parser.parse()
                variables = parser.variables
                return parsed
            } catch {
                throw self.error(error.offset, "\\\(name): \(error.message)")
            }
        }
        let afterName = nameWord.offset + nameWord.text.utf8.count
        switch name {
        case "set":
            guard words.count >= 2 else { throw error(start, "\\set: missing argument") }
            let variable = words[1]
            guard PgBenchVariables.isValidName(Array(variable.text.utf8)) else {
                throw error(variable.offset, "\\set: invalid variable name \"\(variable.text)\"")
            }
            guard words.count >= 3 else { throw error(end, "\\set: missing argument") }
            let slot = variables.slot(variable.text)
            add(.set(slot: slot, try expression(from: variable.offset + variable.text.utf8.count)))
        case "sleep":
            guard words.count >= 2 else { throw error(start, "\\sleep: missing argument") }
            guard words.count <= 3 else { throw error(words[3].offset, "\\sleep: too many arguments") }
            let amount = words[1]
            let sleep: PgBenchScript.Sleep
            if amount.text.hasPrefix(":") {
                sleep = .variable(slot: variables.slot(String(amount.text.dropFirst())), name: String(amount.text.dropFirst()))
            } else {
                let digits = amount.text.first == "+" || amount.text.first == "-" ? amount.text.dropFirst() : Substring(amount.text)
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let value = Int64(amount.text.first == "+" ? String(digits) : amount.text)
                else {
                    throw error(amount.offset, "\\sleep: invalid sleep time, must be an integer")
                }
                sleep = .constant(value)
            }
            var unit: Int64 = 1_000_000
            if words.count == 3 {
                switch words[2].text.lowercased() {
                case "us": unit = 1
                case "ms": unit = 1000
                case "s": unit = 1_000_000
                default: throw error(words[2].offset, "\\sleep: unrecognized time unit, must be us, ms or s")
                }
            }
            add(.sleep(sleep, unitMicroseconds: unit))
        case "if":
            add(.branch(try expression(from: afterName), ifFalse: -1))
            frames.append(Frame(pendingBranch: commands.count - 1, offset: start))
        case "elif":
            guard var frame = frames.popLast() else { throw error(start, "\\elif without a matching \\if") }
            if frame.sawElse { throw error(start, "\\elif after \\else") }
            add(.jump(-1))
            frame.jumps.append(commands.count - 1)
            if let pending = frame.pendingBranch { patch(pending, to: commands.count) }
            add(.branch(try expression(from: afterName), ifFalse: -1))
            frame.pendingBranch = commands.count - 1
            frames.append(frame)
        case "else":
            if words.count > 1 { throw error(words[1].offset, "\\else: unexpected argument") }
            guard var frame = frames.popLast() else { throw error(start, "\\else without a matching \\if") }
            if frame.sawElse { throw error(start, "\\else after \\else") }
            add(.jump(-1))
            frame.jumps.append(commands.count - 1)
            if let pending = frame.pendingBranch { patch(pending, to: commands.count) }
            frame.pendingBranch = nil
            frame.sawElse = true
            frames.append(frame)
        case "endif":
            if words.count > 1 { throw error(words[1].offset, "\\endif: unexpected argument") }
            guard let frame = frames.popLast() else { throw error(start, "\\endif without a matching \\if") }
            if let pending = frame.pendingBranch { patch(pending, to: commands.count) }
            for jump in frame.jumps { patch(jump, to: commands.count) }
        case "gset":
            guard words.count <= 2 else { throw error(words[2].offset, "\\gset: too many arguments") }
            guard let last = commands.last, case .sql(let index) = last.kind, sql[index].gset == nil else {
                throw error(start, "\\gset must follow an SQL command")
            }
            sql[index].gset = words.count == 2 ? words[1].text : ""
        default:
            if let what = PgBenchScript.unsupported[name] {
                throw error(start, "\\\(name) (it \(what)) is not supported in a rehearse workload")
            }
            throw error(start, "invalid command \\\(nameWord.text)")
        }
        return next
    }

    private mutating func patch(_ index: Int, to target: Int) {
        switch commands[index].kind {
        case .branch(let condition, _): commands[index].kind = .branch(condition, ifFalse: target)
        case .jump: commands[index].kind = .jump(target)
        default: break
        }
    }
}
