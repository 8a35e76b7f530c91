/// A migration version compared the way migration tools compare them:
/// segment by segment, numerically (`2 < 10`, `1.1 < 1.2 < 1.10`), with
/// leading zeros and trailing zero segments insignificant (`001 == 1`,
/// `1.0 == 1`). Segments may be any length (timestamps such as
/// `20240101120000` and longer).
///
/// The one version type: the loader orders and finds duplicates with it, and
/// `to:` is matched with it, so a version is accepted as its file or folder
/// spells it: Flyway's `1.2` or `1_2`, golang-migrate's `000043` or `43`,
/// diesel's `2023-12-06-180359` or `20231206180359` (diesel ignores the
/// dashes, so they join digits rather than separate segments).
struct MigrationVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Digits without leading zeros; no trailing "0" segments.
    let segments: [Substring]

    /// Parses digits separated by `.` or `_`, with single dashes between
    /// digits ignored; nil for anything else.
    init?(_ text: some StringProtocol) {
        let text = String(text)
        guard !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else { return nil }
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "." || $0 == "_" }
        var segments: [Substring] = []
        for part in parts {
            let part = Substring(part.filter { $0 != "-" })
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let digits = part.drop { $0 == "0" }
            segments.append(digits.isEmpty ? "0" : digits)
        }
        while segments.count > 1 && segments.last == "0" { segments.removeLast() }
        self.segments = segments
    }

    /// Version 0, what `MigrationVersion("0")` parses to; a key for names that carry no version.
    static let zero = MigrationVersion(segments: ["0"])

    private init(segments: [Substring]) { self.segments = segments }

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
