import Foundation

/// Compares results documents with baselines, step by step and metric by metric.
public struct Comparator: Sendable {
    public var threshold: Double
    public var strict: Bool
    /// Below this many repetitions on either side, significance is not tested.
    public static let minimumRepetitions = 5

    public init(threshold: Double = 0.05, strict: Bool = false) {
        self.threshold = threshold
        self.strict = strict
    }

    struct Metric: Sendable {
        var name: String
        var unit: String
        /// The smallest absolute change that can count, in the metric's unit.
        var floor: Double
        var higherIsWorse: Bool?
        var value: @Sendable (ResultsDocument.StepSummary?, [StepResult]) -> Double?
        var perRepetition: @Sendable (StepResult) -> Double?
    }

    static func latency(_ name: String, _ key: any KeyPath<LatencySummary, Double> & Sendable) -> Metric {
        Metric(
            name: name, unit: "ms", floor: 0.5, higherIsWorse: true,
            value: { summary, steps in summary?.latencyMs?[keyPath: key] ?? steps.last?.latencyMs?[keyPath: key] },
            perRepetition: { $0.latencyMs?[keyPath: key] })
    }

    static let metrics: [Metric] = [
        latency("p50", \.p50), latency("p95", \.p95), latency("p99", \.p99), latency("max", \.max), latency("mean", \.mean),
        Metric(
            name: "duration", unit: "ms", floor: 1, higherIsWorse: true,
            value: { summary, steps in median(summary?.durationMs ?? steps.map(\.durationMs)) },
            perRepetition: { $0.durationMs }),
        Metric(
            name: "throughput", unit: "/s", floor: 0, higherIsWorse: false,
            value: { summary, _ in summary?.throughput },
            perRepetition: { $0.durationMs > 0 ? Double($0.batches) / ($0.durationMs / 1000) : nil }),
        Metric(
            name: "error_rate", unit: "", floor: 0.001, higherIsWorse: true,
            value: { summary, _ in summary?.errorRate },
            perRepetition: { $0.batches > 0 ? Double($0.errors.values.reduce(0, +)) / Double($0.batches) : 0 }),
        Metric(
            name: "server_memory_peak", unit: "B", floor: 1_048_576, higherIsWorse: true,
            value: { summary, steps in
                summary?.serverMemoryPeak.map(Double.init) ?? steps.compactMap(\.serverMemoryPeak).max().map(Double.init)
            },
            perRepetition: { $0.serverMemoryPeak.map(Double.init) }),
        Metric(
            name: "client_memory_peak", unit: "B", floor: 1_048_576, higherIsWorse: true,
            value: { summary, steps in
                summary?.clientMemoryPeak.map(Double.init) ?? steps.compactMap(\.clientMemoryPeak).max().map(Double.init)
            },
            perRepetition: { $0.clientMemoryPeak.map(Double.init) }),
        Metric(
            name: "rows", unit: "", floor: 0, higherIsWorse: nil,
            value: { summary, steps in summary?.rows.map(Double.init) ?? steps.last.map { Double($0.rows) } },
            perRepetition: { Double($0.rows) }),
    ]

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    public func compare(baseline: ResultsDocument, current: ResultsDocument) -> ScenarioComparison {
        var rows: [MetricComparison] = []
        if baseline.verdict != current.verdict {
            rows.append(
                MetricComparison(
                    step: "verdict", metric: "verdict", baseline: nil, current: nil, change: nil,
                    verdict: current.verdict == "blocked" ? .regressed : .improved, significance: nil,
                    note: "\(baseline.verdict) → \(current.verdict)", unit: ""))
        }
        let baseChecks = Dictionary(
            (baseline.repetitions.last?.checks ?? []).map { ("\($0.phase):\($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        for check in current.repetitions.last?.checks ?? [] {
            guard let before = baseChecks["\(check.phase):\(check.name)"], before.passed != check.passed else { continue }
            rows.append(
                MetricComparison(
                    step: "checks", metric: check.name, baseline: nil, current: nil, change: nil,
                    verdict: check.passed ? .improved : .regressed, significance: nil,
                    note: check.passed ? "failed → passed" : "passed → failed", unit: ""))
        }
        let stepNames = current.repetitions.last?.steps.map(\.name) ?? []
        for step in stepNames {
            let baseSteps = baseline.repetitions.compactMap { $0.steps.first { $0.name == step } }
            let curSteps = current.repetitions.compactMap { $0.steps.first { $0.name == step } }
            guard !baseSteps.isEmpty, !curSteps.isEmpty else { continue }
            if curSteps.allSatisfy({ $0.status == "skipped" }) || baseSteps.allSatisfy({ $0.status == "skipped" }) { continue }
            for metric in Self.metrics {
                guard let b = metric.value(baseline.summary.steps[step], baseSteps),
                    let c = metric.value(current.summary.steps[step], curSteps)
                else { continue }
                rows.append(
                    judge(
                        metric, step: step, baseline: b, current: c,
                        baseSamples: baseSteps.compactMap(metric.perRepetition), currentSamples: curSteps.compactMap(metric.perRepetition)))
            }
        }
        return ScenarioComparison(
            scenario: current.scenario.name, baselineVerdict: baseline.verdict, currentVerdict: current.verdict,
            warnings: environmentWarnings(baseline, current), rows: rows)
    }

    func judge(
        _ metric: Metric, step: String, baseline b: Double, current c: Double, baseSamples: [Double], currentSamples: [Double]
    ) -> MetricComparison {
        let change: Double? = b != 0 ? (c - b) / abs(b) : (c == 0 ? 0 : nil)
        var row = MetricComparison(
            step: step, metric: metric.name, baseline: b, current: c, change: change, verdict: .unchanged, significance: nil, note: nil,
            unit: metric.unit)
        guard let higherIsWorse = metric.higherIsWorse else { return row }
        let relative = change.map { abs($0) } ?? .infinity
        let big = relative >= threshold && abs(c - b) >= metric.floor
        if baseSamples.count >= Self.minimumRepetitions && currentSamples.count >= Self.minimumRepetitions,
            let test = MannWhitney.test(baseSamples, currentSamples)
        {
            row.significance = String(
                format: "p=%.3g (Mann-Whitney, %d vs %d repetitions)", test.p, baseSamples.count, currentSamples.count)
            guard big && test.p < 0.05 else { return row }
        } else {
            row.significance =
                "not tested (\(baseSamples.count) vs \(currentSamples.count) repetitions; needs \(Self.minimumRepetitions) each)"
            guard big else { return row }
        }
        row.verdict = (c > b) == higherIsWorse ? .regressed : .improved
        return row
    }

    func environmentWarnings(_ a: ResultsDocument, _ b: ResultsDocument) -> [String] {
        var warnings: [String] = []
        func check(_ name: String, _ x: String, _ y: String) {
            if x != y { warnings.append("\(name) differs: baseline \(x), current \(y)") }
        }
        check("postgres_version", a.environment.postgresVersion, b.environment.postgresVersion)
        check("server", a.environment.server, b.environment.server)
        check("cpu_model", a.environment.cpuModel, b.environment.cpuModel)
        check("cpu_count", "\(a.environment.cpuCount)", "\(b.environment.cpuCount)")
        check("scenario sha256", String(a.scenario.sha256.prefix(12)), String(b.scenario.sha256.prefix(12)))
        for key in Set(a.environment.settings.keys).union(b.environment.settings.keys).sorted() {
            check("setting \(key)", a.environment.settings[key] ?? "unset", b.environment.settings[key] ?? "unset")
        }
        return warnings
    }

    /// Matches documents by scenario name and compares each pair.
    public func compare(baselines: [ResultsDocument], currents: [ResultsDocument]) -> ComparisonReport {
        let base = Self.newestByScenario(baselines)
        let cur = Self.newestByScenario(currents)
        var scenarios: [ScenarioComparison] = []
        for name in cur.keys.sorted() {
            if let b = base[name] { scenarios.append(compare(baseline: b, current: cur[name]!)) }
        }
        return ComparisonReport(
            threshold: threshold, scenarios: scenarios,
            missingBaseline: cur.keys.filter { base[$0] == nil }.sorted(),
            missingCurrent: base.keys.filter { cur[$0] == nil }.sorted())
    }

    static func newestByScenario(_ documents: [ResultsDocument]) -> [String: ResultsDocument] {
        var result: [String: ResultsDocument] = [:]
        for d in documents {
            if let existing = result[d.scenario.name], existing.run.finishedAt >= d.run.finishedAt { continue }
            result[d.scenario.name] = d
        }
        return result
    }
}

extension Comparator {
    /// The newest document of each scenario, in scenario-name order.
    public static func newestByScenarioList(_ documents: [ResultsDocument]) -> [ResultsDocument] {
        let newest = newestByScenario(documents)
        return newest.keys.sorted().map { newest[$0]! }
    }
}
