import RehearseResults
import RehearseSupport

/// A scenario run on several PostgreSQL majors, side by side on the page.
extension HTMLReport {
    /// One table per scenario the page holds on several majors: a column per version with
    /// its verdict and each step's status, then which version lacks which extension.
    static func versionMatrix(_ documents: [ResultsDocument]) -> String {
        var html = ""
        var seen = Set<String>()
        for name in documents.map(\.scenario.name) where seen.insert(name).inserted {
            let versions = SummaryTable.versionsRan(of: name, in: documents)
            guard versions.count > 1 else { continue }
            html += "<h3>\(HTML.escape(name)) across versions</h3><table>"
            html += HTML.row([""] + versions.map { HTML.Cell("PostgreSQL \($0.environment.postgresVersion)", "l") }, header: true)
            html += HTML.row(["verdict"] + versions.map { .raw(badge($0.verdict.rawValue, $0.verdict.rawValue), "l") })
            var steps: [String] = []
            for d in versions { for s in d.repetitions.last?.steps ?? [] where !steps.contains(s.name) { steps.append(s.name) } }
            for step in steps {
                let cells = versions.map { d -> HTML.Cell in
                    guard let s = d.repetitions.last?.steps.first(where: { $0.name == step }) else { return HTML.Cell("—", "l skipped") }
                    let text = s.status.rawValue + (s.error?.sqlstate.map { " \($0)" } ?? "")
                    return HTML.Cell(text, "l " + HTML.statusClass(s.status.rawValue))
                }
                html += HTML.row([HTML.Cell(step)] + cells)
            }
            html += "</table>"
            for d in versions {
                for lack in SummaryTable.lackedExtensions(d) {
                    html +=
                        "<p class=\"warn\">PostgreSQL \(HTML.escape(d.environment.postgresVersion)) lacks extension \(HTML.escape(lack))</p>"
                }
            }
        }
        return html
    }
}
