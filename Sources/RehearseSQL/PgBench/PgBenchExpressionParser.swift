/// Parses pgbench's expression language (exprscan.l, exprparse.y) from the bytes of one
/// meta-command: the same tokens, keywords and operator precedence, lowest first:
/// `OR`; `AND`; `NOT`; `IS`/`ISNULL`/`NOTNULL`; comparisons (`<` `>` `=` `<=` `>=` `<>` `!=`,
/// not chained); `|` `#` `&` `<<` `>>` `~`; `+` `-`; `*` `/` `%`; unary `+` `-`.
struct PgBenchExpressionParser {
    enum Keyword: String { case and, or, not, `is`, isnull, notnull, null, `true`, `false`, `case`, when, then, `else`, end }

    enum Token: Equatable {
        case int(Int64)
        /// 9223372036854775808: only valid after a unary minus.
        case maxIntPlusOne
        case double(Double)
        case variable(String)
        case identifier(String)
        case keyword(Keyword)
        case symbol(String)
        case end
    }

    struct Failure: Error {
        var offset: Int
        var message: String
    }

    private let bytes: [UInt8]
    private let end: Int
    private var position: Int
    private var token: Token = .end
    private var tokenStart = 0
    var variables: PgBenchVariables

    init(bytes: [UInt8], start: Int, end: Int, variables: PgBenchVariables) {
        self.bytes = bytes
        self.end = end
        self.position = start
        self.variables = variables
    }

    /// The whole range as one expression.
    mutating func parse() throws(Failure) -> PgBenchExpression {
        try advance()
        if token == .end { throw Failure(offset: tokenStart, message: "missing expression") }
        let expression = try parse(level: 1)
        if token != .end { throw Failure(offset: tokenStart, message: "syntax error") }
        return expression
    }

    // MARK: - Grammar

    private static let comparisons: [String: (PgBenchFunction, swap: Bool)] = [
        "<": (.lt, false), "<=": (.le, false), ">": (.lt, true), ">=": (.le, true), "=": (.eq, false),
        "<>": (.ne, false), "!=": (.ne, false),
    ]
    private static let bitwise: [String: PgBenchFunction] = [
        "|": .bitOr, "#": .bitXor, "&": .bitAnd, "<<": .shiftLeft, ">>": .shiftRight,
    ]

    private mutating func parse(level: Int) throws(Failure) -> PgBenchExpression {
        var left = try prefix()
        var sawIs = false
        var sawComparison = false
        while true {
            switch token {
            case .keyword(.or) where level <= 1:
                try advance()
                left = .call(.or, [left, try parse(level: 2)])
            case .keyword(.and) where level <= 2:
                try advance()
                left = .call(.and, [left, try parse(level: 3)])
            case .keyword(.is), .keyword(.isnull), .keyword(.notnull):
                guard level <= 4 else { return left }
                if sawIs { throw Failure(offset: tokenStart, message: "syntax error") }
                sawIs = true
                left = try postfixIs(left)
            case .symbol(let s) where level <= 5 && Self.comparisons[s] != nil:
                guard let (function, swap) = Self.comparisons[s] else { break }
                if sawComparison { throw Failure(offset: tokenStart, message: "syntax error") }
                sawComparison = true
                try advance()
                let right = try parse(level: 6)
                left = .call(function, swap ? [right, left] : [left, right])
            case .symbol(let s) where level <= 6 && Self.bitwise[s] != nil:
                guard let function = Self.bitwise[s] else { break }
                try advance()
                left = .call(function, [left, try parse(level: 7)])
            case .symbol(let s) where (s == "+" || s == "-") && level <= 7:
                try advance()
                left = .call(s == "+" ? .add : .sub, [left, try parse(level: 8)])
            case .symbol(let s) where (s == "*" || s == "/" || s == "%") && level <= 8:
                try advance()
                left = .call(s == "*" ? .mul : s == "/" ? .div : .mod, [left, try parse(level: 9)])
            default:
                return left
            }
        }
    }

    private mutating func postfixIs(_ left: PgBenchExpression) throws(Failure) -> PgBenchExpression {
        let isNull = PgBenchExpression.call(.is, [left, .constant(.null)])
        switch token {
        case .keyword(.isnull):
            try advance()
            return isNull
        case .keyword(.notnull):
            try advance()
            return .call(.not, [isNull])
        default: break
        }
        try advance()  // IS
        var negated = false
        if token == .keyword(.not) {
            negated = true
            try advance()
        }
        let operand: PgBenchValue
        switch token {
        case .keyword(.null): operand = .null
        case .keyword(.true): operand = .boolean(true)
        case .keyword(.false): operand = .boolean(false)
        default: throw Failure(offset: tokenStart, message: "syntax error")
        }
        try advance()
        let test = PgBenchExpression.call(.is, [left, .constant(operand)])
        return negated ? .call(.not, [test]) : test
    }

    private mutating func prefix() throws(Failure) -> PgBenchExpression {
        let start = tokenStart
        switch token {
        case .keyword(.not):
            try advance()
            return .call(.not, [try parse(level: 3)])
        case .symbol("+"):
            try advance()
            return try parse(level: 9)
        case .symbol("-"):
            try advance()
            if token == .maxIntPlusOne {
                try advance()
                return .constant(.int(.min))
            }
            return .call(.sub, [.constant(.int(0)), try parse(level: 9)])
        case .symbol("~"):
            try advance()
            return .call(.bitXor, [.constant(.int(-1)), try parse(level: 7)])
        case .symbol("("):
            try advance()
            let inner = try parse(level: 1)
            try expect(")")
            return inner
        case .int(let v):
            try advance()
            return .constant(.int(v))
        case .maxIntPlusOne:
            throw Failure(offset: start, message: "bigint constant overflow")
        case .double(let d):
            try advance()
            return .constant(.double(d))
        case .keyword(.null):
            try advance()
            return .constant(.null)
        case .keyword(.true), .keyword(.false):
            let value = token == .keyword(.true)
            try advance()
            return .constant(.boolean(value))
        case .variable(let name):
            try advance()
            return .variable(slot: variables.slot(name), name: name)
        case .keyword(.case):
            return try caseWhen()
        case .identifier(let name):
            try advance()
            return try call(name, at: start)
        default:
            throw Failure(offset: start, message: token == .end ? "unexpected end of expression" : "syntax error")
        }
    }

    private mutating func caseWhen() throws(Failure) -> PgBenchExpression {
        try advance()  // CASE
        var arguments: [PgBenchExpression] = []
        guard token == .keyword(.when) else { throw Failure(offset: tokenStart, message: "syntax error") }
        while token == .keyword(.when) {
            try advance()
            arguments.append(try parse(level: 1))
            guard token == .keyword(.then) else { throw Failure(offset: tokenStart, message: "syntax error") }
            try advance()
            arguments.append(try parse(level: 1))
        }
        if token == .keyword(.else) {
            try advance()
            arguments.append(try parse(level: 1))
        } else {
            arguments.append(.constant(.null))
        }
        guard token == .keyword(.end) else { throw Failure(offset: tokenStart, message: "syntax error") }
        try advance()
        return .call(.caseWhen, arguments)
    }

    private mutating func call(_ name: String, at start: Int) throws(Failure) -> PgBenchExpression {
        guard let named = PgBenchFunction.byName[name.lowercased()] else {
            throw Failure(offset: start, message: "unexpected function name \"\(name)\"")
        }
        guard token == .symbol("(") else { throw Failure(offset: tokenStart, message: "syntax error") }
        try advance()
        var arguments: [PgBenchExpression] = []
        if token != .symbol(")") {
            arguments.append(try parse(level: 1))
            while token == .symbol(",") {
                try advance()
                arguments.append(try parse(level: 1))
            }
        }
        try expect(")")
        switch named.function {
        case .least, .greatest:
            if arguments.isEmpty { throw Failure(offset: start, message: "at least one argument expected (\(name))") }
        case .hashMurmur2, .hashFnv1a:
            if arguments.isEmpty || arguments.count > 2 {
                throw Failure(offset: start, message: "unexpected number of arguments (\(name))")
            }
            if arguments.count == 1 { arguments.append(.variable(slot: PgBenchVariables.defaultSeed, name: "default_seed")) }
        case .permute:
            if arguments.count < 2 || arguments.count > 3 {
                throw Failure(offset: start, message: "unexpected number of arguments (\(name))")
            }
            if arguments.count == 2 { arguments.append(.variable(slot: PgBenchVariables.defaultSeed, name: "default_seed")) }
        default:
            if arguments.count != named.arguments {
                throw Failure(offset: start, message: "unexpected number of arguments (\(name))")
            }
        }
        return .call(named.function, arguments)
    }

    private mutating func expect(_ symbol: String) throws(Failure) {
        guard token == .symbol(symbol) else { throw Failure(offset: tokenStart, message: "syntax error") }
        try advance()
    }

    // MARK: - Tokens (exprscan.l)

    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80 }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }

    private mutating func advance() throws(Failure) {
        while position < end, [0x20, 0x09, 0x0D, 0x0C, 0x0B, 0x0A].contains(bytes[position]) { position += 1 }
        tokenStart = position
        guard position < end else {
            token = .end
            return
        }
        let c = bytes[position]
        func peek(_ k: Int) -> UInt8 { position + k < end ? bytes[position + k] : 0 }
        if c == 0x3A, Self.isAlnum(peek(1)) {  // :variable
            var p = position + 1
            while p < end && Self.isAlnum(bytes[p]) { p += 1 }
            token = .variable(String(decoding: bytes[(position + 1)..<p], as: UTF8.self))
            position = p
            return
        }
        if Self.isDigit(c) || (c == 0x2E && Self.isDigit(peek(1))) {
            token = try number()
            return
        }
        if Self.isAlpha(c) {
            var p = position
            while p < end && Self.isAlnum(bytes[p]) { p += 1 }
            let word = String(decoding: bytes[position..<p], as: UTF8.self)
            position = p
            token = Keyword(rawValue: word.lowercased()).map(Token.keyword) ?? .identifier(word)
            return
        }
        let two = position + 1 < end ? String(decoding: bytes[position...(position + 1)], as: UTF8.self) : ""
        if ["<=", ">=", "<>", "!=", "<<", ">>"].contains(two) {
            position += 2
            token = .symbol(two)
            return
        }
        let one = String(UnicodeScalar(c))
        if c < 0x80, "+-*/%(),<>=&|#~".contains(one) {
            position += 1
            token = .symbol(one)
            return
        }
        throw Failure(offset: position, message: "unexpected character \"\(c < 0x80 ? one : "\\x\(String(c, radix: 16))")\"")
    }

    /// `{digit}+` is an integer; a fraction or an exponent makes a double (flex's longest match).
    private mutating func number() throws(Failure) -> Token {
        let start = position
        var p = position
        while p < end && Self.isDigit(bytes[p]) { p += 1 }
        var isDouble = false
        if p < end && bytes[p] == 0x2E {
            isDouble = true
            p += 1
            while p < end && Self.isDigit(bytes[p]) { p += 1 }
        }
        if p < end && (bytes[p] == 0x65 || bytes[p] == 0x45) {
            var q = p + 1
            if q < end && (bytes[q] == 0x2B || bytes[q] == 0x2D) { q += 1 }
            if q < end && Self.isDigit(bytes[q]) {
                while q < end && Self.isDigit(bytes[q]) { q += 1 }
                p = q
                isDouble = true
            }
        }
        let text = String(decoding: bytes[start..<p], as: UTF8.self)
        position = p
        if isDouble {
            guard let d = Double(text) else { throw Failure(offset: start, message: "invalid double constant \"\(text)\"") }
            return .double(d)
        }
        if let v = Int64(text) { return .int(v) }
        if text.drop(while: { $0 == "0" }) == "9223372036854775808" { return .maxIntPlusOne }
        throw Failure(offset: start, message: "bigint constant overflow \"\(text)\"")
    }
}
