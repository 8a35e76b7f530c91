import Foundation

/// `rehearse compare` output: text (aligned, colour on a terminal), markdown, json, junit.
public enum ComparisonFormatter {
    public enum Format: String, CaseIterable, Sendable { case text, markdown, json, junit }

    /// Renders a report; `colour` adds ANSI colours to the text format (the CLI sets it when stdout is a terminal).
    /// Every format passes its text through `OutgoingText`: the colours are the only control characters left.
    public static func render(_ report: ComparisonReport, as format: Format, colour: Bool = false) -> String {
        switch format {
        case .text: text(report, colour: colour)
        case .markdown: OutgoingText.terminal(markdown(report))
        case .json: String(decoding: OutgoingText.json((try? ResultsCoding.encoder().encode(report)) ?? Data()), as: UTF8.self) + "\n"
        case .junit: junit(report)
        }
    }

    static func number(_ value: Double?, unit: String) -> String {
        guard let value else { return "" }
        switch unit {
        case "B": return String(format: "%.1f MB", value / 1_048_576)
        case "ms": return value >= 100 ? String(format: "%.0f ms", value) : String(format: "%.2f ms", value)
        case "/s": return String(format: "%.1f/s", value)
        case "ratio": return String(format: "%.2f%%", value * 100)
        default: return value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.4f", value)
        }
    }

    static func change(_ row: MetricComparison) -> String {
        if let note = row.note { return note }
        guard let c = row.change else { return row.baseline == 0 && row.current != 0 ? "new" : "" }
        return String(format: "%+.1f%%", c * 100)
    }

    static let header = ["step", "metric", "baseline", "current", "change", "verdict"]

    static func cells(_ row: MetricComparison) -> [String] {
        [
            row.step, row.metric, number(row.baseline, unit: row.unit), number(row.current, unit: row.unit), change(row),
            row.verdict.rawValue,
        ]
    }

    static func percent(_ threshold: Double) -> String {
        let p = threshold * 100
        return p == p.rounded() ? "\(Int(p))%" : String(format: "%.1f%%", p)
    }

    static func summaryLine(_ report: ComparisonReport) -> String {
        let n = report.regressionCount
        let head = n > 0 ? "\(n) regression\(n == 1 ? "" : "s")" : "no regression"
        return "\(head) (threshold \(percent(report.threshold)))"
    }

    static func text(_ report: ComparisonReport, colour: Bool) -> String {
        /// The only place the text format's lines are made safe: colour codes go around the escaped text.
        func paint(_ s: String, _ code: String?) -> String {
            let safe = OutgoingText.terminal(s)
            guard colour, let code else { return safe }
            return "\u{1B}[\(code)m\(safe)\u{1B}[0m"
        }
        var out = ""
        for scenario in report.scenarios {
            let title = "\(scenario.scenario): \(scenario.baselineVerdict) → \(scenario.currentVerdict)"
            out += paint(title + (scenario.hasRegression ? " — REGRESSION" : ""), scenario.hasRegression ? "1;31" : nil) + "\n"
            for w in scenario.warnings { out += "  " + paint("warning: \(w)", "33") + "\n" }
            let rows = [header] + scenario.rows.map(cells)
            var widths = Array(repeating: 0, count: header.count)
            for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
            for (n, r) in rows.enumerated() {
                // Names and verdicts left-aligned, numbers right-aligned.
                let line =
                    "  "
                    + r.enumerated().map { i, c in
                        i < 2 || i == 5
                            ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[i] - c.count) + c
                    }.joined(separator: "  ")
                let trimmed = line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
                switch n == 0 ? nil : scenario.rows[n - 1].verdict {
                case .regressed: out += paint(trimmed, "31") + "\n"
                case .improved: out += paint(trimmed, "32") + "\n"
                case .changed: out += paint(trimmed, "33") + "\n"
                case .unchanged, nil: out += paint(trimmed, n == 0 ? "1" : nil) + "\n"
                }
            }
            if let untested = scenario.rows.first(where: { $0.significance?.hasPrefix("not tested") == true })?.significance {
                out += paint("  significance \(untested); percentiles compared on merged histograms", nil) + "\n"
            }
            out += "\n"
        }
        for name in report.missingBaseline { out += paint("\(name): no baseline", nil) + "\n" }
        for name in report.missingCurrent { out += paint("\(name): in the baseline but not in this run", nil) + "\n" }
        if !report.isValid { out += paint("invalid comparison: the environments differ (--strict)", "1;31") + "\n" }
        out += paint(summaryLine(report), report.hasRegression ? "1;31" : nil) + "\n"
        return out
    }

    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "<", with: "&lt;")
    }

    static func markdown(_ report: ComparisonReport) -> String {
        var out = "## rehearse: comparison with baseline\n\n"
        out += report.hasRegression ? "**\(summaryLine(report))**\n\n" : "\(summaryLine(report).capitalizedFirst).\n\n"
        if !report.isValid { out += "> [!CAUTION]\n> Invalid comparison: the environments differ (`--strict`).\n\n" }
        for scenario in report.scenarios {
            out +=
                "### \(scenario.hasRegression ? "❌" : "✅") \(markdownCell(scenario.scenario)) — \(scenario.baselineVerdict) → \(scenario.currentVerdict)\n\n"
            for w in scenario.warnings { out += "> ⚠️ \(markdownCell(w))\n" }
            if !scenario.warnings.isEmpty { out += "\n" }
            out += "| step | metric | baseline | current | change | verdict |\n|---|---|---:|---:|---:|---|\n"
            for row in scenario.rows {
                let c = cells(row).map(markdownCell)
                let verdict = row.verdict == .regressed ? "**regressed**" : row.verdict.rawValue
                out += "| \(c[0]) | \(c[1]) | \(c[2]) | \(c[3]) | \(c[4]) | \(verdict) |\n"
            }
            if let untested = scenario.rows.first(where: { $0.significance?.hasPrefix("not tested") == true })?.significance {
                out += "\nSignificance \(markdownCell(untested)); percentiles compared on merged histograms.\n"
            }
            out += "\n"
        }
        for name in report.missingBaseline { out += "- `\(name)`: no baseline\n" }
        for name in report.missingCurrent { out += "- `\(name)`: in the baseline but not in this run\n" }
        return out
    }
}

extension String {
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
