import Foundation
import RehearseSupport

/// `compare --across-versions`: one scenario on two PostgreSQL majors, what an upgrade changes.
extension Comparator {
    /// Compares, scenario by scenario, `older`'s document (its lowest major, when it holds
    /// several) with `newer`'s (its highest): the usual findings (verdict, step statuses,
    /// durations, checks), without the warning that the versions differ, and a `locks`
    /// finding for each step whose locks differ. Both sides of one major is invalid input.
    public func compareAcrossVersions(older: [ResultsDocument], newer: [ResultsDocument]) throws -> ComparisonReport {
        let from = Self.oneMajorPerScenario(Self.newestByScenario(older), lowest: true)
        let to = Self.oneMajorPerScenario(Self.newestByScenario(newer), lowest: false)
        var scenarios: [ScenarioComparison] = []
        for (name, current) in to.sorted(by: { $0.key < $1.key }) {
            guard let baseline = from[name] else { continue }
            let (a, b) = (baseline.environment.postgresVersion, current.environment.postgresVersion)
            guard baseline.postgresMajor != current.postgresMajor else {
                throw RehearseError.invalidInput(
                    "--across-versions: \(name) is PostgreSQL \(a) on both sides; give the documents of two majors "
                        + "(run it with --pg 15,18, then compare its .pg15.json and .pg18.json, or the folder with both twice)")
            }
            var comparison = compare(baseline: baseline, current: current)
            comparison.scenario = "\(name): PostgreSQL \(a) → \(b)"
            comparison.warnings.removeAll { $0.hasPrefix("postgres_version differs") }
            for finding in lockFindings(baseline, current) {
                let after = comparison.findings.lastIndex { $0.step == finding.step }.map { $0 + 1 } ?? comparison.findings.endIndex
                comparison.findings.insert(finding, at: after)
            }
            scenarios.append(comparison)
        }
        return ComparisonReport(
            threshold: threshold, scenarios: scenarios, missingBaseline: to.keys.filter { from[$0] == nil }.sorted(),
            missingCurrent: from.keys.filter { to[$0] == nil }.sorted(), strict: strict)
    }

    /// Of documents keyed by `matchKey`, one per scenario name: the lowest or the highest major.
    static func oneMajorPerScenario(_ documents: [String: ResultsDocument], lowest: Bool) -> [String: ResultsDocument] {
        var result: [String: ResultsDocument] = [:]
        for d in documents.values {
            if let kept = result[d.scenario.name] {
                let (x, y) = (d.postgresMajor ?? 0, kept.postgresMajor ?? 0)
                if lowest ? x >= y : x <= y { continue }
            }
            result[d.scenario.name] = d
        }
        return result
    }

    /// Modes that block writes (or more): a new one on the newer major is a regression.
    static let blockingModes: Set<String> = [
        "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
    ]

    /// One finding per step whose locks differ between the two documents (every repetition's
    /// `locks_taken`, as `mode on relation`). Objects PostgreSQL names only by number (a
    /// rewrite's transient relation) differ in number between servers: they count as one.
    func lockFindings(_ baseline: ResultsDocument, _ current: ResultsDocument) -> [Finding] {
        func locks(_ d: ResultsDocument, _ step: String) -> Set<String> {
            var result = Set<String>()
            for s in d.repetitions.flatMap(\.steps) where s.name == step {
                for l in s.locksTaken ?? [] {
                    let numbered = l.relation.range(of: #"^(relation|object) [0-9]+$"#, options: .regularExpression) != nil
                    let what = numbered ? "an unnamed \(l.relation.prefix { $0 != " " })" : l.relation
                    result.insert("\(l.mode) on \(what)")
                }
            }
            return result
        }
        var findings: [Finding] = []
        for step in stepNames(current) where stepNames(baseline).contains(step) {
            let (before, after) = (locks(baseline, step), locks(current, step))
            guard before != after else { continue }
            let added = after.subtracting(before).sorted()
            let gone = before.subtracting(after).sorted()
            let isBlocking = { (lock: String) in Self.blockingModes.contains(String(lock.prefix { $0 != " " })) }
            let verdict: MetricComparison.Change =
                added.contains(where: isBlocking) ? .regressed : gone.contains(where: isBlocking) ? .improved : .changed
            var parts: [String] = []
            if !added.isEmpty { parts.append("now takes " + added.joined(separator: ", ")) }
            if !gone.isEmpty { parts.append("no longer takes " + gone.joined(separator: ", ")) }
            findings.append(noteFinding(step: step, metric: "locks", verdict, parts.joined(separator: "; ")))
        }
        return findings
    }
}
