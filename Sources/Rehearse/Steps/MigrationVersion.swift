/// A migration version compared the way migration tools compare them:
/// segment by segment, numerically (`2 < 10`, `1.1 < 1.2 < 1.10`), with
/// leading zeros and trailing zero segments insignificant (`001 == 1`,
/// `1.0 == 1`). Segments may be any length (timestamps such as
/// `20240101120000` and longer).
struct MigrationVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Digits without leading zeros; no trailing "0" segments.
    let segments: [Substring]

    /// Parses digits separated by `.`, `_` or `-`; nil for anything else.
    init?(_ text: some StringProtocol) {
        let parts = String(text).split(omittingEmptySubsequences: false) { $0 == "." || $0 == "_" || $0 == "-" }
        var segments: [Substring] = []
        for part in parts {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let digits = part.drop { $0 == "0" }
            segments.append(digits.isEmpty ? "0" : digits)
        }
        while segments.count > 1 && segments.last == "0" { segments.removeLast() }
        self.segments = segments
    }

    var description: String { segments.joined(separator: ".") }

    static func < (a: MigrationVersion, b: MigrationVersion) -> Bool {
        for i in 0..<max(a.segments.count, b.segments.count) {
            let x = i < a.segments.count ? a.segments[i] : "0"
            let y = i < b.segments.count ? b.segments[i] : "0"
            if x.count != y.count { return x.count < y.count }
            if x != y { return x < y }
        }
        return false
    }
}
