import Foundation
import RehearseHistogram
public import RehearseResults
import RehearseSupport

/// The table `rehearse run` prints at the end: one block per scenario.
public enum SummaryTable {
    /// Passed through `OutgoingText.terminal`: names, reasons and errors come from the server and the scenario.
    public static func render(_ documents: [ResultsDocument]) -> String {
        var out = ""
        for doc in documents {
            let mark = doc.expectation.met ? "✓" : "✗"
            out += "\n\(mark) \(doc.scenario.name)\(versionLabel(doc, in: documents)): \(doc.verdict)"
            out += doc.expectation.met ? " (as expected)\n" : " — expectation not met\n"
            var rows: [[String]] = [
                ["step", "status", "batches", "p50 ms", "p95 ms", "p99 ms", "duration ms", "lock wait ms", "impact p99/max ms"]
            ]
            let rep = doc.repetitions.last
            for step in rep?.steps ?? [] {
                let summary = doc.summary.steps[step.name]
                let latency = summary?.latencyMs ?? step.latencyMs
                let duration = summary.flatMap { Median.of($0.durationMs) } ?? step.durationMs
                let impact =
                    step.impact.map { i in
                        "\(format(i.latencyMs?.p99))/\(format(i.latencyMs?.max))" + (i.errors > 0 ? " (\(i.errors) err)" : "")
                    } ?? ""
                rows.append([
                    step.name + (step.background == true ? " (bg)" : ""), step.status.rawValue, String(summary?.batches ?? step.batches),
                    format(latency?.p50), format(latency?.p95), format(latency?.p99), format(duration),
                    step.lockWaitMaxMs.map { $0 > 0 ? format($0) : "" } ?? "", impact,
                ])
                // A workload of several transactions: a row for each, merged as the step's is.
                for (name, t) in (summary?.transactions ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let l = t.latencyMs
                    rows.append(["  · " + name, "", String(t.batches ?? 0), format(l?.p50), format(l?.p95), format(l?.p99), "", "", ""])
                }
            }
            out += table(rows)
            out += predictions(doc)
            let checks = rep?.checks ?? []
            let passed = checks.filter(\.passed).count
            if !checks.isEmpty { out += "  checks: \(passed)/\(checks.count) passed\n" }
            if let targets = rep?.targets, !targets.isEmpty {
                out += "  targets: \(targets.filter(\.passed).count)/\(targets.count) held\n"
            }
            if let rollback = rep?.rollback, rollback.status != .notRun {
                out += "  rollback (\(rollback.via ?? "")): \(rollback.status)"
                if let d = rollback.durationMs { out += " in \(format(d)) ms" }
                out += "\n"
                for d in rollback.differences.prefix(10) { out += "    · \(d.object): \(d.detail)\n" }
                if rollback.differences.count > 10 { out += "    · and \(rollback.differences.count - 10) more\n" }
                if let e = rollback.error {
                    out += "    · \(e.migration.map { "\($0): " } ?? "")\(e.sqlstate.map { "\($0) " } ?? "")\(e.message)\n"
                }
            }
            for reason in doc.reasons { out += "  reason: \(reason)\n" }
            for mismatch in doc.expectation.mismatches { out += "  ✗ \(mismatch)\n" }
        }
        out += versionMatrix(documents)
        return OutgoingText.terminal(out)
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "" }
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    /// Columns in `left` are left-aligned (names), the others right-aligned (numbers).
    static func table(_ rows: [[String]], left: Set<Int> = [0, 1]) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for (n, row) in rows.enumerated() {
            let line =
                "  "
                + row.enumerated().map { i, cell in
                    left.contains(i)
                        ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[i] - cell.count) + cell
                }.joined(separator: "  ")
            // Empty cells at the end (and a padded last column) leave no trailing spaces.
            out += String(line.reversed().drop { $0 == " " }.reversed()) + "\n"
            if n == 0 { out += "  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }
}
