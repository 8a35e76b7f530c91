import Foundation
public import RehearseResults
import RehearseSupport

/// `rehearse compare` output: text (aligned, colour on a terminal), markdown, json, junit,
/// github (workflow commands: `GitHubAnnotations`), openmetrics (`OpenMetrics`).
public enum ComparisonFormatter {
    public enum Format: String, CaseIterable, Sendable { case text, markdown, json, junit, github, openmetrics }

    /// Renders a report; `colour` adds ANSI colours to the text format (the CLI sets it when stdout is a terminal).
    /// Every format passes its text through `OutgoingText`: the colours are the only control characters left.
    public static func render(_ report: ComparisonReport, as format: Format, colour: Bool = false) -> String {
        switch format {
        case .text: text(report, colour: colour)
        case .markdown: OutgoingText.terminal(markdown(report))
        case .json: String(decoding: OutgoingText.json((try? ResultsCoding.encoder().encode(report)) ?? Data()), as: UTF8.self) + "\n"
        case .junit: junit(report)
        // The regressions alone; the CLI adds the documents' failures and where each was written.
        case .github: GitHubAnnotations.render(documents: [], comparison: report, sources: [:])
        // Metrics need the current documents, which the CLI passes (`OpenMetrics.render`): alone, an empty exposition.
        case .openmetrics: OpenMetrics.render([], comparison: report)
        }
    }

    static func change(_ row: MetricComparison) -> String {
        if let note = row.note { return note }
        guard let c = row.change else { return row.baseline == 0 && row.current != 0 ? "new" : "" }
        return String(format: "%+.1f%%", c * 100)
    }

    static let header = ["metric", "baseline", "current", "change", ""]

    static func cells(_ row: MetricComparison) -> [String] {
        [
            row.metric, MetricComparison.formatted(row.baseline, unit: row.unit), MetricComparison.formatted(row.current, unit: row.unit),
            change(row),
            row.verdict == .unchanged ? "" : row.verdict.rawValue,
        ]
    }

    static func headline(_ finding: Finding) -> String { "\(finding.step): \(finding.verdict.rawValue) — \(finding.reason)" }

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
        func painted(_ s: String, _ verdict: MetricComparison.Change) -> String {
            switch verdict {
            case .regressed: paint(s, "31")
            case .improved: paint(s, "32")
            case .changed, .untested: paint(s, "33")
            case .unchanged: paint(s, nil)
            }
        }
        var out = ""
        for scenario in report.scenarios {
            let title = "\(scenario.scenario): \(scenario.baselineVerdict) → \(scenario.currentVerdict)"
            out += paint(title + (scenario.hasRegression ? " — REGRESSION" : ""), scenario.hasRegression ? "1;31" : nil) + "\n"
            for w in scenario.warnings { out += "  " + paint("warning: \(w)", "33") + "\n" }
            // One column layout for every finding's rows, so a scenario reads as one table.
            let all = [header] + scenario.rows.map(cells)
            var widths = Array(repeating: 0, count: header.count)
            for r in all { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
            func line(_ r: [String]) -> String {
                let text =
                    "      "
                    + r.enumerated().map { i, c in
                        i == 0 || i == 4
                            ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[i] - c.count) + c
                    }.joined(separator: "  ")
                return text.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            }
            if !scenario.rows.isEmpty { out += paint(line(header), "1") + "\n" }
            for finding in scenario.findings {
                out += "  " + painted(headline(finding), finding.verdict) + "\n"
                for row in finding.rows where row.note == nil { out += painted(line(cells(row)), row.verdict) + "\n" }
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
            out += "| step | verdict | finding |\n|---|---|---|\n"
            for finding in scenario.findings {
                let verdict = finding.verdict == .regressed ? "**regressed**" : finding.verdict.rawValue
                out += "| \(markdownCell(finding.step)) | \(verdict) | \(markdownCell(finding.reason)) |\n"
            }
            let rows = scenario.rows.filter { $0.note == nil }
            if !rows.isEmpty {
                out +=
                    "\n<details><summary>metrics</summary>\n\n| step | metric | baseline | current | change |\n|---|---|---:|---:|---:|\n"
                for row in rows {
                    let c = cells(row).map(markdownCell)
                    out += "| \(markdownCell(row.step)) | \(c[0]) | \(c[1]) | \(c[2]) | \(c[3]) |\n"
                }
                out += "\n</details>\n"
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
