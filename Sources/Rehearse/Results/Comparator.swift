import Foundation

/// Compares results documents with baselines, step by step and metric by metric.
///
/// A metric's change counts when it passes the relative `threshold` and the metric's
/// absolute floor (0.5 ms, 1 MiB, 0.1 percentage point of errors) and, with at least
/// `minimumRepetitions` on each side, a two-sided Mann-Whitney U test across repetitions
/// (p < 0.05). A verdict that changed to blocked, a check that started failing and a step
/// that started failing are always regressions.
public struct Comparator: Sendable {
    public var threshold: Double
    /// Environment differences make the comparison invalid rather than a warning.
    public var strict: Bool
    /// Below this many repetitions on either side, significance is not tested.
    public static let minimumRepetitions = 5
    public static let significanceLevel = 0.05

    public init(threshold: Double = 0.05, strict: Bool = false) {
        self.threshold = threshold
        self.strict = strict
    }

    /// Compares one scenario's current run with its baseline.
    public func compare(baseline: ResultsDocument, current: ResultsDocument) -> ScenarioComparison {
        var rows: [MetricComparison] = []
        if baseline.verdict != current.verdict {
            let verdict: MetricComparison.Verdict =
                current.verdict == "blocked" ? .regressed : baseline.verdict == "blocked" ? .improved : .changed
            rows.append(note(step: "verdict", metric: "verdict", verdict, "\(baseline.verdict) → \(current.verdict)"))
        }
        rows += checkRows(baseline, current)
        let currentNames = stepNames(current)
        let baselineNames = stepNames(baseline)
        for step in baselineNames where !currentNames.contains(step) {
            rows.append(note(step: step, metric: "step", .changed, "not in the current run"))
        }
        for step in currentNames {
            guard baselineNames.contains(step) else {
                rows.append(note(step: step, metric: "step", .changed, "not in the baseline"))
                continue
            }
            rows += stepRows(step, baseline, current)
        }
        return ScenarioComparison(
            scenario: current.scenario.name, baselineVerdict: baseline.verdict, currentVerdict: current.verdict,
            warnings: environmentWarnings(baseline, current), rows: rows)
    }

    func stepRows(_ step: String, _ baseline: ResultsDocument, _ current: ResultsDocument) -> [MetricComparison] {
        let baseSteps = baseline.repetitions.compactMap { $0.steps.first { $0.name == step } }
        let curSteps = current.repetitions.compactMap { $0.steps.first { $0.name == step } }
        var rows: [MetricComparison] = []
        let before = Self.status(baseSteps), after = Self.status(curSteps)
        if before != after {
            let verdict: MetricComparison.Verdict = after == "failed" ? .regressed : before == "failed" ? .improved : .changed
            rows.append(note(step: step, metric: "status", verdict, "\(before) → \(after)"))
        }
        // A skipped step has no numbers worth comparing.
        if before == "skipped" || after == "skipped" { return rows }
        for metric in Self.metrics {
            guard let b = metric.value(baseline.summary.steps[step], baseSteps),
                let c = metric.value(current.summary.steps[step], curSteps)
            else { continue }
            rows.append(
                judge(
                    metric, step: step, baseline: b, current: c,
                    baseSamples: baseSteps.compactMap(metric.perRepetition), currentSamples: curSteps.compactMap(metric.perRepetition)))
        }
        return rows
    }

    /// `failed` when any repetition failed, `skipped` when all were skipped, else `ok`.
    static func status(_ steps: [StepResult]) -> String {
        if steps.contains(where: { $0.status == "failed" }) { return "failed" }
        if !steps.isEmpty && steps.allSatisfy({ $0.status == "skipped" }) { return "skipped" }
        return "ok"
    }

    /// A check passes on a side only when it passed in every repetition.
    func checkRows(_ baseline: ResultsDocument, _ current: ResultsDocument) -> [MetricComparison] {
        func outcomes(_ d: ResultsDocument) -> [(key: String, name: String, passed: Bool)] {
            var order: [String] = []
            var passed: [String: Bool] = [:]
            var names: [String: String] = [:]
            for check in d.repetitions.flatMap(\.checks) {
                let key = "\(check.phase):\(check.name)"
                if passed[key] == nil { order.append(key) }
                passed[key] = (passed[key] ?? true) && check.passed
                names[key] = check.name
            }
            return order.map { ($0, names[$0]!, passed[$0]!) }
        }
        let before = Dictionary(outcomes(baseline).map { ($0.key, $0.passed) }, uniquingKeysWith: { a, _ in a })
        return outcomes(current).compactMap { check in
            guard let was = before[check.key], was != check.passed else { return nil }
            return note(
                step: "checks", metric: check.name, check.passed ? .improved : .regressed,
                check.passed ? "failed → passed" : "passed → failed")
        }
    }

    func note(step: String, metric: String, _ verdict: MetricComparison.Verdict, _ text: String) -> MetricComparison {
        MetricComparison(
            step: step, metric: metric, baseline: nil, current: nil, change: nil, verdict: verdict, significance: nil, note: text, unit: "")
    }

    func stepNames(_ d: ResultsDocument) -> [String] {
        var names: [String] = []
        for step in d.repetitions.flatMap(\.steps) where !names.contains(step.name) { names.append(step.name) }
        return names
    }

    /// The verdict of one metric: a change counts only past the threshold and the floor, and,
    /// with enough repetitions on both sides, only when the Mann-Whitney test finds it significant.
    func judge(
        _ metric: Metric, step: String, baseline b: Double, current c: Double, baseSamples: [Double], currentSamples: [Double]
    ) -> MetricComparison {
        let change: Double? = b != 0 ? (c - b) / abs(b) : (c == 0 ? 0 : nil)
        var row = MetricComparison(
            step: step, metric: metric.name, baseline: b, current: c, change: change, verdict: .unchanged, significance: nil, note: nil,
            unit: metric.unit)
        guard let higherIsWorse = metric.higherIsWorse else {
            if b != c { row.verdict = .changed }
            return row
        }
        let relative = change.map { abs($0) } ?? .infinity
        let big = relative >= threshold && abs(c - b) >= metric.floor
        if baseSamples.count >= Self.minimumRepetitions && currentSamples.count >= Self.minimumRepetitions,
            let test = MannWhitney.test(baseSamples, currentSamples)
        {
            row.significance = String(
                format: "p=%.3g (Mann-Whitney, %d vs %d repetitions)", test.p, baseSamples.count, currentSamples.count)
            guard big && test.p < Self.significanceLevel else { return row }
        } else {
            row.significance =
                "not tested (\(baseSamples.count) vs \(currentSamples.count) repetitions; needs \(Self.minimumRepetitions) each)"
            guard big else { return row }
        }
        row.verdict = (c > b) == higherIsWorse ? .regressed : .improved
        return row
    }
}
