import Foundation
import RehearseSupport

/// Compares results documents with baselines: one finding per step.
///
/// A step's time (its duration; a workload's mean latency) is a regression only when the
/// Mann-Whitney test across repetitions finds the change significant after Holm's correction
/// over the scenario's step findings, AND the Hodges–Lehmann 95% confidence interval of the
/// change lies entirely beyond the threshold, AND the estimated change passes the absolute floor
/// (0.5 ms). With fewer than `minimumRepetitions` on a side the change is `untested`; it fails
/// only when far beyond what the repetitions' own spread explains (at least 2x and more than 3x
/// that spread), or past a threshold the user set explicitly. A verdict that changed to blocked,
/// a check that started failing and a step that started failing are always regressions.
public struct Comparator: Sendable {
    public var threshold: Double
    /// Environment differences make the comparison invalid rather than a warning.
    public var strict: Bool
    /// The user chose the threshold: an untested change past it counts (issue 15: their call, not the default's).
    public var thresholdIsExplicit: Bool
    /// `--normalize`: the current run's times are divided by the ratio of the two runs' machine
    /// calibrations (`environment.calibration`, the `SELECT 1` round trip) before comparing.
    public var normalize = false
    /// Below this many repetitions on either side, significance is not tested: 4 vs 4 is the
    /// smallest pair whose 95% Hodges–Lehmann interval exists (3 vs 3 cannot reach 95%).
    public static let minimumRepetitions = 4
    public static let significanceLevel = 0.05

    public init(threshold: Double = 0.05, strict: Bool = false, thresholdIsExplicit: Bool = false) {
        self.threshold = threshold
        self.strict = strict
        self.thresholdIsExplicit = thresholdIsExplicit
    }

    /// Compares one scenario's current run with its baseline.
    public func compare(baseline: ResultsDocument, current: ResultsDocument) -> ScenarioComparison {
        var findings: [Finding] = []
        if baseline.verdict != current.verdict {
            let verdict: MetricComparison.Change =
                current.verdict == .blocked ? .regressed : baseline.verdict == .blocked ? .improved : .changed
            findings.append(noteFinding(step: "verdict", metric: "verdict", verdict, "\(baseline.verdict) → \(current.verdict)"))
        }
        if let checks = checkFinding(baseline, current) { findings.append(checks) }
        let currentNames = stepNames(current)
        let baselineNames = stepNames(baseline)
        for step in baselineNames where !currentNames.contains(step) {
            findings.append(noteFinding(step: step, metric: "step", .changed, "not in the current run"))
        }
        var steps: [Finding] = []
        for step in currentNames {
            guard baselineNames.contains(step) else {
                findings.append(noteFinding(step: step, metric: "step", .changed, "not in the baseline"))
                continue
            }
            steps.append(stepFinding(step, baseline, current, speed: normalize ? Self.speedRatio(baseline, current) ?? 1 : 1))
        }
        settleTimes(&steps)
        settleWork(&steps)
        findings += predictionFindings(baseline, current)
        return ScenarioComparison(
            scenario: current.scenario.name, baselineVerdict: baseline.verdict, currentVerdict: current.verdict,
            warnings: environmentWarnings(baseline, current), findings: findings + steps)
    }

    /// A step's finding: a step that started failing, else its time test (settled later, once
    /// the scenario's p-values can be corrected together); the metric rows under it.
    /// `speed`: how much slower the current machine ran (its calibration over the baseline's);
    /// the current times are divided by it.
    func stepFinding(_ step: String, _ baseline: ResultsDocument, _ current: ResultsDocument, speed: Double = 1) -> Finding {
        let baseSteps = baseline.repetitions.compactMap { $0.steps.first { $0.name == step } }
        let curSteps = current.repetitions.compactMap { $0.steps.first { $0.name == step } }
        let before = Self.status(baseSteps), after = Self.status(curSteps)
        var finding = Finding(step: step, verdict: .unchanged, metric: nil, reason: "", rows: [])
        if before != after {
            let verdict: MetricComparison.Change = after == .failed ? .regressed : before == .failed ? .improved : .changed
            finding = noteFinding(step: step, metric: "status", verdict, "\(before.rawValue) → \(after.rawValue)")
        }
        // A skipped step has no numbers worth comparing.
        if before == .skipped || after == .skipped {
            if finding.reason.isEmpty { finding.reason = "skipped on both sides" }
            return finding
        }
        for metric in Self.metrics {
            guard let b = metric.value(baseline.summary.steps[step], baseSteps),
                let c = metric.value(current.summary.steps[step], curSteps)
            else { continue }
            let normalized = metric.unit == "ms" ? c / speed : metric.unit == "/s" ? c * speed : c
            finding.rows.append(row(metric, step: step, baseline: b, current: normalized))
        }
        finding.rows += workRows(step: step, baseSteps, curSteps)
        if finding.verdict == .unchanged, var samples = Self.timeSamples(baseSteps, curSteps) {
            samples.current = samples.current.map { $0 / speed }
            test(samples, &finding)
        }
        return finding
    }

    /// `failed` when any repetition failed, `skipped` when all were skipped, else `ok`.
    package static func status(_ steps: [StepResult]) -> StepStatus {
        if steps.contains(where: { $0.status == .failed }) { return .failed }
        if !steps.isEmpty && steps.allSatisfy({ $0.status == .skipped }) { return .skipped }
        return .ok
    }

    /// One finding for the checks: a check passes on a side only when it passed in every repetition;
    /// one that started failing is a regression.
    func checkFinding(_ baseline: ResultsDocument, _ current: ResultsDocument) -> Finding? {
        func outcomes(_ d: ResultsDocument) -> [(key: String, name: String, passed: Bool)] {
            var result: [(key: String, name: String, passed: Bool)] = []
            var position: [String: Int] = [:]
            for check in d.repetitions.flatMap(\.checks) {
                let key = "\(check.phase):\(check.name)"
                if let i = position[key] {
                    result[i].name = check.name
                    result[i].passed = result[i].passed && check.passed
                } else {
                    position[key] = result.count
                    result.append((key, check.name, check.passed))
                }
            }
            return result
        }
        let before = Dictionary(outcomes(baseline).map { ($0.key, $0.passed) }, uniquingKeysWith: { a, _ in a })
        let rows = outcomes(current).compactMap { check -> MetricComparison? in
            guard let was = before[check.key], was != check.passed else { return nil }
            return note(
                step: "checks", metric: check.name, check.passed ? .improved : .regressed,
                check.passed ? "failed → passed" : "passed → failed")
        }
        guard !rows.isEmpty else { return nil }
        let failing = rows.filter { $0.verdict == .regressed }
        let verdict: MetricComparison.Change = failing.isEmpty ? .improved : .regressed
        let reason =
            failing.isEmpty
            ? "\(rows.count) check\(rows.count == 1 ? "" : "s") passing again"
            : "started failing: \(failing.map(\.metric).joined(separator: ", "))"
        return Finding(step: "checks", verdict: verdict, metric: failing.first?.metric ?? rows[0].metric, reason: reason, rows: rows)
    }

    func noteFinding(step: String, metric: String, _ verdict: MetricComparison.Change, _ text: String) -> Finding {
        Finding(step: step, verdict: verdict, metric: metric, reason: text, rows: [note(step: step, metric: metric, verdict, text)])
    }

    func note(step: String, metric: String, _ verdict: MetricComparison.Change, _ text: String) -> MetricComparison {
        MetricComparison(
            step: step, metric: metric, baseline: nil, current: nil, change: nil, verdict: verdict, significance: nil, note: text, unit: "")
    }

    func stepNames(_ d: ResultsDocument) -> [String] {
        var names: [String] = []
        for step in d.repetitions.flatMap(\.steps) where !names.contains(step.name) { names.append(step.name) }
        return names
    }

    /// A metric row: evidence, not a verdict. `changed` marks a metric past the threshold and its
    /// floor; the finding above it says whether that is a regression.
    func row(_ metric: Metric, step: String, baseline b: Double, current c: Double) -> MetricComparison {
        let change: Double? = b != 0 ? (c - b) / abs(b) : (c == 0 ? 0 : nil)
        var row = MetricComparison(
            step: step, metric: metric.name, baseline: b, current: c, change: change, verdict: .unchanged, significance: nil, note: nil,
            unit: metric.unit)
        let past = metric.higherIsWorse == nil ? b != c : (change.map { abs($0) } ?? .infinity) >= threshold && abs(c - b) >= metric.floor
        if past { row.verdict = .changed }
        return row
    }
}
