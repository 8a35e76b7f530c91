public import Foundation

extension Comparator {
    /// The results documents at a path: one file, or every `*.json` in a folder and its
    /// subfolders. Of several runs of one scenario on one major only the newest (by `run.finished_at`) is kept.
    public static func loadDocuments(at url: URL) throws -> [ResultsDocument] {
        newestByScenarioList(try ResultsLoader.load(url.path))
    }

    /// Matches documents by scenario name and PostgreSQL major (the newest of each) and
    /// compares each pair; see `counterpart` for documents of one major on each side.
    public func compare(baselines: [ResultsDocument], currents: [ResultsDocument]) -> ComparisonReport {
        let base = Self.newestByScenario(baselines)
        let cur = Self.newestByScenario(currents)
        var scenarios: [ScenarioComparison] = []
        var missingBaseline: [String] = []
        var matched = Set<String>()
        for (_, c) in cur.sorted(by: { $0.key < $1.key }) {
            guard let b = Self.counterpart(of: c, in: base, among: cur) else {
                missingBaseline.append(Self.label(c, among: cur))
                continue
            }
            matched.insert(Self.matchKey(b))
            var comparison = compare(baseline: b, current: c)
            comparison.scenario = Self.label(c, among: cur)
            scenarios.append(comparison)
        }
        return ComparisonReport(
            threshold: threshold, scenarios: scenarios, missingBaseline: missingBaseline,
            missingCurrent: base.filter { !matched.contains($0.key) }.sorted { $0.key < $1.key }.map { Self.label($0.value, among: base) },
            strict: strict)
    }

    /// The newest document of each scenario and major, in scenario-name order.
    public static func newestByScenarioList(_ documents: [ResultsDocument]) -> [ResultsDocument] {
        let newest = newestByScenario(documents)
        return newest.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Keyed by `matchKey`: a scenario run on several majors keeps one document of each.
    package static func newestByScenario(_ documents: [ResultsDocument]) -> [String: ResultsDocument] {
        var result: [String: ResultsDocument] = [:]
        for d in documents {
            let key = matchKey(d)
            if let existing = result[key], !isNewer(d.run.finishedAt, than: existing.run.finishedAt) { continue }
            result[key] = d
        }
        return result
    }

    /// Compares timestamps as instants, so `10:00:00.5Z` is after `10:00:00Z` (as strings it sorts before).
    static func isNewer(_ a: String, than b: String) -> Bool {
        switch (instant(a), instant(b)) {
        case (let x?, let y?): x > y
        default: a > b
        }
    }

    static func instant(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// Differences that make the numbers less comparable: server, settings, machine, scenario file.
    func environmentWarnings(_ a: ResultsDocument, _ b: ResultsDocument) -> [String] {
        var warnings: [String] = []
        func check(_ name: String, _ x: String, _ y: String) {
            if x != y { warnings.append("\(name) differs: baseline \(x), current \(y)") }
        }
        check("postgres_version", a.environment.postgresVersion, b.environment.postgresVersion)
        check("server", a.environment.server.rawValue, b.environment.server.rawValue)
        check("cpu_model", a.environment.cpuModel, b.environment.cpuModel)
        check("cpu_count", "\(a.environment.cpuCount)", "\(b.environment.cpuCount)")
        if a.scenario.sha256 != b.scenario.sha256 {
            // Short hashes, unless they only differ further on.
            let short = a.scenario.sha256.prefix(12) != b.scenario.sha256.prefix(12)
            let x = short ? String(a.scenario.sha256.prefix(12)) : a.scenario.sha256
            let y = short ? String(b.scenario.sha256.prefix(12)) : b.scenario.sha256
            warnings.append("scenario sha256 differs: baseline \(x), current \(y) (the scenario file changed)")
        }
        for key in Set(a.environment.settings.keys).union(b.environment.settings.keys).sorted() {
            check("setting \(key)", a.environment.settings[key] ?? "unset", b.environment.settings[key] ?? "unset")
        }
        if let ratio = Self.speedRatio(a, b), abs(ratio - 1) > threshold,
            let x = a.environment.calibration?.p50Ms, let y = b.environment.calibration?.p50Ms
        {
            let times = normalize ? String(format: "current times divided by %.2f (--normalize)", ratio) : "--normalize divides times by it"
            warnings.append(
                String(
                    format:
                        "calibration differs: baseline %.3f ms, current %.3f ms a round trip (%+.0f%%): the machines ran at different speeds; %@",
                    x, y, (ratio - 1) * 100, times))
        }
        return warnings
    }

    /// The current machine's round trip over the baseline's (both runs' `environment.calibration`).
    static func speedRatio(_ a: ResultsDocument, _ b: ResultsDocument) -> Double? {
        guard let x = a.environment.calibration?.p50Ms, let y = b.environment.calibration?.p50Ms, x > 0, y > 0 else { return nil }
        return y / x
    }
}
