import Foundation

/// `rehearse compare` output: text (aligned, colour on a terminal), markdown, json, junit.
public enum ComparisonFormatter {
    public enum Format: String, CaseIterable, Sendable { case text, markdown, json, junit }

    public static func render(_ report: ComparisonReport, as format: Format, colour: Bool = false) -> String {
        switch format {
        case .text: text(report, colour: colour)
        case .markdown: markdown(report)
        case .json: String(decoding: (try? ResultsCoding.encoder().encode(report)) ?? Data(), as: UTF8.self) + "\n"
        case .junit: junit(report)
        }
    }

    static func number(_ value: Double?, unit: String) -> String {
        guard let value else { return "" }
        switch unit {
        case "B": return String(format: "%.1f MB", value / 1_048_576)
        case "ms": return value >= 100 ? String(format: "%.0f ms", value) : String(format: "%.2f ms", value)
        case "/s": return String(format: "%.1f/s", value)
        default: return value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.4f", value)
        }
    }

    static func change(_ row: MetricComparison) -> String {
        if let note = row.note { return note }
        guard let c = row.change else { return "" }
        return String(format: "%+.1f%%", c * 100)
    }

    static func cells(_ row: MetricComparison) -> [String] {
        [
            row.step, row.metric, number(row.baseline, unit: row.unit), number(row.current, unit: row.unit), change(row),
            row.verdict.rawValue,
        ]
    }

    static func text(_ report: ComparisonReport, colour: Bool) -> String {
        var out = ""
        for scenario in report.scenarios {
            out +=
                "\(scenario.scenario): \(scenario.baselineVerdict) → \(scenario.currentVerdict)\(scenario.hasRegression ? " — REGRESSION" : "")\n"
            for w in scenario.warnings { out += "  warning: \(w)\n" }
            var rows = [["step", "metric", "baseline", "current", "change", "verdict"]]
            rows += scenario.rows.map(cells)
            var widths = Array(repeating: 0, count: 6)
            for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
            for (n, r) in rows.enumerated() {
                var line =
                    "  "
                    + r.enumerated().map { i, c in
                        i < 2 || i == 5
                            ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[i] - c.count) + c
                    }.joined(separator: "  ")
                if colour && n > 0 {
                    switch scenario.rows[n - 1].verdict {
                    case .regressed: line = "\u{1B}[31m\(line)\u{1B}[0m"
                    case .improved: line = "\u{1B}[32m\(line)\u{1B}[0m"
                    case .unchanged: break
                    }
                }
                out += line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            }
            let untested = scenario.rows.first { $0.significance?.hasPrefix("not tested") == true }?.significance
            if let untested { out += "  significance \(untested); percentiles compared on merged histograms\n" }
            out += "\n"
        }
        for name in report.missingBaseline { out += "\(name): no baseline\n" }
        for name in report.missingCurrent { out += "\(name): in the baseline but not in this run\n" }
        let regressions = report.scenarios.flatMap(\.rows).filter { $0.verdict == .regressed }.count
        out +=
            regressions > 0
            ? "\(regressions) regression\(regressions == 1 ? "" : "s") (threshold \(Int(report.threshold * 100))%)\n"
            : "no regression (threshold \(Int(report.threshold * 100))%)\n"
        return out
    }

    static func markdown(_ report: ComparisonReport) -> String {
        var out = "## rehearse: comparison with baseline\n\n"
        let regressions = report.scenarios.flatMap(\.rows).filter { $0.verdict == .regressed }.count
        out +=
            regressions > 0
            ? "**\(regressions) regression\(regressions == 1 ? "" : "s")** (threshold \(Int(report.threshold * 100))%)\n\n"
            : "No regression (threshold \(Int(report.threshold * 100))%).\n\n"
        for scenario in report.scenarios {
            out +=
                "### \(scenario.hasRegression ? "❌" : "✅") \(scenario.scenario) — \(scenario.baselineVerdict) → \(scenario.currentVerdict)\n\n"
            for w in scenario.warnings { out += "> ⚠️ \(w)\n" }
            if !scenario.warnings.isEmpty { out += "\n" }
            out += "| step | metric | baseline | current | change | verdict |\n|---|---|---:|---:|---:|---|\n"
            for row in scenario.rows {
                let c = cells(row).map { $0.replacingOccurrences(of: "|", with: "\\|") }
                let verdict = row.verdict == .regressed ? "**regressed**" : row.verdict.rawValue
                out += "| \(c[0]) | \(c[1]) | \(c[2]) | \(c[3]) | \(c[4]) | \(verdict) |\n"
            }
            out += "\n"
        }
        for name in report.missingBaseline { out += "- `\(name)`: no baseline\n" }
        for name in report.missingCurrent { out += "- `\(name)`: in the baseline but not in this run\n" }
        return out
    }

    static func xml(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&apos;")
    }

    static func junit(_ report: ComparisonReport) -> String {
        let total = report.scenarios.reduce(0) { $0 + $1.rows.count }
        let failures = report.scenarios.flatMap(\.rows).filter { $0.verdict == .regressed }.count
        var out =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rehearse compare\" tests=\"\(total)\" failures=\"\(failures)\">\n"
        for scenario in report.scenarios {
            let f = scenario.rows.filter { $0.verdict == .regressed }.count
            out += "  <testsuite name=\"\(xml(scenario.scenario))\" tests=\"\(scenario.rows.count)\" failures=\"\(f)\">\n"
            for w in scenario.warnings { out += "    <system-err>\(xml(w))</system-err>\n" }
            for row in scenario.rows {
                let c = cells(row)
                out += "    <testcase classname=\"\(xml(scenario.scenario)).\(xml(row.step))\" name=\"\(xml(row.metric))\""
                if row.verdict == .regressed {
                    let message = "\(row.metric) regressed: baseline \(c[2]), current \(c[3]) (\(c[4]))"
                    out +=
                        ">\n      <failure message=\"\(xml(message))\">\(xml(message + (row.significance.map { "; " + $0 } ?? "")))</failure>\n    </testcase>\n"
                } else {
                    out += "/>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }
}
