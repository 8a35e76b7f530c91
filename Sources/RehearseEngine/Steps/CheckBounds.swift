import Foundation

/// What simple check constraints say of one column, so generated values meet them by
/// construction: comparisons with constants (`score >= 0`, a domain's `VALUE <= 2155`),
/// `IN` lists (`status = ANY (ARRAY['a'::text, …])`) and length limits
/// (`length(name) <= 50`). Checks of other shapes are met by filtering (`SynthesisPlan`).
struct CheckBounds: Sendable {
    var low: Double?
    var high: Double?
    /// A bound written as a quoted literal that is no number (`'2022-01-01 00:00:00+00'::timestamp with time zone`),
    /// for the caller to convert; `strict` when it was `>` or `<`.
    var lowText: (value: String, strict: Bool)?
    var highText: (value: String, strict: Bool)?
    var allowed: [String]?
    var maxLength: Int?

    /// `subject` is how the expression names the column: its name, or `VALUE` in a domain's check.
    static func read(_ expressions: [String], subject: String, integer: Bool) -> CheckBounds {
        var bounds = CheckBounds()
        let name = NSRegularExpression.escapedPattern(for: subject)
        let quoted = NSRegularExpression.escapedPattern(for: SQLText.identifier(subject))
        let token = "\\(*(?:\(name)|\(quoted))\\)*(?:::[a-z ]+)?"
        let number = "\\(*(?:'((?:[^']|'')*)'|(-?[0-9]+(?:\\.[0-9]+)?))\\)*(?:::[a-z ]+)?"
        let step = integer ? 1.0 : 0.0
        for expression in expressions {
            for m in matches("(?<![A-Za-z0-9_\"])\(token)\\s*(>=|>|<=|<)\\s*\(number)", in: expression) {
                guard let value = Double(m[3].isEmpty ? m[2] : m[3]) else {
                    let text = m[2].replacingOccurrences(of: "''", with: "'")
                    if m[1].hasPrefix(">") { bounds.lowText = (text, m[1] == ">") } else { bounds.highText = (text, m[1] == "<") }
                    continue
                }
                switch m[1] {
                case ">=": bounds.low = max(bounds.low ?? -.infinity, value)
                case ">": bounds.low = max(bounds.low ?? -.infinity, value + (step > 0 ? step : value.ulp))
                case "<=": bounds.high = min(bounds.high ?? .infinity, value)
                default: bounds.high = min(bounds.high ?? .infinity, value - (step > 0 ? step : value.ulp))
                }
            }
            for m in matches("(?:char_length|length)\\(\(token)\\)\\s*(<=|<)\\s*\(number)", in: expression) {
                guard let value = Int(m[3].isEmpty ? m[2] : m[3]) else { continue }
                let limit = m[1] == "<" ? value - 1 : value
                bounds.maxLength = min(bounds.maxLength ?? Int.max, limit)
            }
            for m in matches("(?<![A-Za-z0-9_\"])\(token)\\s*=\\s*ANY\\s*\\(+ARRAY\\[(.*?)\\]", in: expression) {
                let items = matches("'((?:[^']|'')*)'", in: m[1]).map { $0[1].replacingOccurrences(of: "''", with: "'") }
                if !items.isEmpty { bounds.allowed = items }
            }
        }
        return bounds
    }

    /// Capture groups of every match (index 0 the whole match).
    private static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            (0..<match.numberOfRanges).map { i in
                let r = match.range(at: i)
                return r.location == NSNotFound ? "" : ns.substring(with: r)
            }
        }
    }
}
