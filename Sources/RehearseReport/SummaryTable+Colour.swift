public import RehearseResults

extension SummaryTable {
    /// The table with each scenario's headline green (✓, its expectation met) or red (✗), and
    /// the expectation's mismatches red, when `colour` (the CLI sets it on a terminal without
    /// `NO_COLOR`). The colours go around lines `render` already made safe: the only escape codes.
    public static func render(_ documents: [ResultsDocument], colour: Bool) -> String {
        let text = render(documents)
        guard colour else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("✓ ") { return "\u{1B}[32m\(line)\u{1B}[0m" }
            if line.hasPrefix("✗ ") || line.hasPrefix("  ✗ ") { return "\u{1B}[31m\(line)\u{1B}[0m" }
            return String(line)
        }.joined(separator: "\n")
    }
}
