import Foundation
import RehearseResults
import RehearseSupport

/// The summary of a version matrix: a scenario's documents of several majors side by side.
extension SummaryTable {
    /// ` (PostgreSQL 16.2)` after a scenario's name when the run holds it on several majors.
    static func versionLabel(_ document: ResultsDocument, in documents: [ResultsDocument]) -> String {
        versionsRan(of: document.scenario.name, in: documents).count > 1
            ? " (PostgreSQL \(document.environment.postgresVersion))" : ""
    }

    /// A scenario's documents of distinct majors, in ascending major order.
    static func versionsRan(of scenario: String, in documents: [ResultsDocument]) -> [ResultsDocument] {
        var byMajor: [Int: ResultsDocument] = [:]
        for d in documents where d.scenario.name == scenario { byMajor[d.postgresMajor ?? 0] = d }
        return byMajor.sorted { $0.key < $1.key }.map(\.value)
    }

    /// One table per scenario that ran on several majors: its verdict and each step's status,
    /// a column per version, then what each version lacks.
    static func versionMatrix(_ documents: [ResultsDocument]) -> String {
        var out = ""
        var seen = Set<String>()
        for name in documents.map(\.scenario.name) where seen.insert(name).inserted {
            let versions = versionsRan(of: name, in: documents)
            guard versions.count > 1 else { continue }
            out += "\n\(name) across versions\n"
            var rows = [[""] + versions.map { "PostgreSQL \($0.environment.postgresVersion)" }]
            rows.append(["verdict"] + versions.map { $0.verdict.rawValue + ($0.expectation.met ? "" : " ✗") })
            var steps: [String] = []
            for d in versions { for s in d.repetitions.last?.steps ?? [] where !steps.contains(s.name) { steps.append(s.name) } }
            for step in steps {
                rows.append(
                    [step]
                        + versions.map { d in
                            let s = d.repetitions.last?.steps.first { $0.name == step }
                            return s.map { $0.status.rawValue + ($0.error?.sqlstate.map { " \($0)" } ?? "") } ?? "—"
                        })
            }
            // Each version's column reads left to right like the step names: padded here, so
            // `table`'s right alignment of later columns leaves them as they are.
            for column in 1..<rows[0].count {
                let width = rows.map { $0[column].count }.max() ?? 0
                for r in rows.indices { rows[r][column] = rows[r][column].padding(toLength: width, withPad: " ", startingAt: 0) }
            }
            out += table(rows)
            for d in versions {
                for lack in lackedExtensions(d) {
                    out += "  PostgreSQL \(d.environment.postgresVersion) lacks extension \(lack)\n"
                }
            }
        }
        return out
    }

    /// Extensions the document's server said it does not have: in a step's error
    /// (`extension "pgcrypto" is not available`) or in the reason of `database.extensions`.
    static func lackedExtensions(_ document: ResultsDocument) -> [String] {
        var names: [String] = []
        let texts = document.reasons + (document.repetitions.last?.steps.compactMap { $0.error?.message } ?? [])
        for text in texts {
            for pattern in [#"extension "([^"]+)" is not available"#, #"lacks extension (\S+)"#] {
                guard let match = text.range(of: pattern, options: .regularExpression) else { continue }
                let found = String(text[match])
                let name =
                    found.hasPrefix("extension \"")
                    ? String(found.dropFirst("extension \"".count).prefix { $0 != "\"" })
                    : String(found.dropFirst("lacks extension ".count))
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }
}
