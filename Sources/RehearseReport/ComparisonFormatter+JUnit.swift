import RehearseResults
import RehearseSupport

extension ComparisonFormatter {
    /// JUnit XML: a testsuite per scenario, a testcase per step metric, a `<failure>` with the
    /// numbers for each regression, a skipped testcase for a scenario without a baseline.
    static func junit(_ report: ComparisonReport) -> String {
        let total = report.scenarios.reduce(0) { $0 + $1.findings.count } + report.missingBaseline.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<testsuites name=\"rehearse compare\" tests=\"\(total)\" failures=\"\(report.regressionCount)\" errors=\"\(report.isValid ? 0 : 1)\">\n"
        for scenario in report.scenarios {
            let failures = scenario.findings.filter { $0.verdict == .regressed }.count
            out += "  <testsuite name=\"\(xml(scenario.scenario))\" tests=\"\(scenario.findings.count)\" failures=\"\(failures)\">\n"
            if !scenario.warnings.isEmpty {
                out += "    <system-err>\(xml(scenario.warnings.map { "warning: \($0)" }.joined(separator: "\n")))</system-err>\n"
            }
            for finding in scenario.findings {
                out += "    <testcase classname=\"\(xml(scenario.scenario))\" name=\"\(xml(finding.step))\""
                guard finding.verdict == .regressed else {
                    out += "/>\n"
                    continue
                }
                let message = "\(finding.step) regressed: \(finding.reason)"
                let body = ([message] + finding.rows.filter { $0.note == nil }.map { cells($0).prefix(4).joined(separator: " ") })
                    .joined(separator: "\n")
                out += ">\n      <failure message=\"\(xml(message))\" type=\"regression\">\(xml(body))</failure>\n    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        if !report.missingBaseline.isEmpty {
            out +=
                "  <testsuite name=\"missing baselines\" tests=\"\(report.missingBaseline.count)\" skipped=\"\(report.missingBaseline.count)\">\n"
            for name in report.missingBaseline {
                out += "    <testcase classname=\"\(xml(name))\" name=\"baseline\"><skipped message=\"no baseline\"/></testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// Masks secrets, escapes for XML text and attributes, and drops the characters XML 1.0 cannot hold
    /// (control characters such as an ANSI escape in captured output).
    static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in SecretMasker.mask(text).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t", "\r": out += "&#\(scalar.value);"
            default:
                let v = scalar.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
