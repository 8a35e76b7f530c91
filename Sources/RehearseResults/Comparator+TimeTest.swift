import Foundation
import RehearseSupport
import RehearseHistogram

extension Comparator {
    /// The one time a step is judged on, per repetition: its duration, or for a workload (whose
    /// duration is set by the scenario) the mean latency of its transactions.
    struct TimeSamples {
        var metric: String
        var baseline: [Double]
        var current: [Double]
        /// The smallest absolute change that can count, in ms.
        static let floor = 0.5
    }

    static func timeSamples(_ baseSteps: [StepResult], _ curSteps: [StepResult]) -> TimeSamples? {
        let isWorkload = (baseSteps + curSteps).contains { $0.kind == "workload" }
        if isWorkload {
            let b = baseSteps.compactMap { $0.latencyMs?.mean }, c = curSteps.compactMap { $0.latencyMs?.mean }
            if !b.isEmpty && !c.isEmpty { return TimeSamples(metric: "mean", baseline: b, current: c) }
        }
        guard !baseSteps.isEmpty, !curSteps.isEmpty else { return nil }
        return TimeSamples(metric: "duration", baseline: baseSteps.map(\.durationMs), current: curSteps.map(\.durationMs))
    }

    /// The relative spread of a side's repetitions (1.4826 × median absolute deviation / median,
    /// which estimates the standard deviation of normal noise without letting one outlier dominate).
    static func noise(_ values: [Double]) -> Double? {
        guard values.count >= 2, let m = Median.of(values), m > 0, let mad = Median.of(values.map { abs($0 - m) }) else { return nil }
        return 1.4826 * mad / m
    }

    /// Tests the step's time: with enough repetitions, estimates the shift and its p-value (the
    /// verdict waits for Holm's correction); with too few, judges by the spread alone.
    func test(_ s: TimeSamples, _ finding: inout Finding) {
        finding.metric = s.metric
        finding.repetitions = [s.baseline.count, s.current.count]
        finding.noise = [Self.noise(s.baseline), Self.noise(s.current)].compactMap { $0 }.max()
        let tested = min(s.baseline.count, s.current.count) >= Self.minimumRepetitions
        if tested, let estimate = HodgesLehmann.estimate(baseline: s.baseline, current: s.current),
            let mw = MannWhitney.test(s.baseline, s.current)
        {
            finding.shift = estimate.shift
            finding.interval = [estimate.low, estimate.high]
            finding.shiftMs = estimate.absoluteShift
            finding.p = mw.p
            return
        }
        judgeUntested(s, &finding)
    }

    /// Too few repetitions for a test: a change is `untested` unless it is at least 2x and more than
    /// 3x the repetitions' own spread (max − min over the median, the larger side), or past an explicit threshold.
    func judgeUntested(_ s: TimeSamples, _ finding: inout Finding) {
        guard let b = Median.of(s.baseline), let c = Median.of(s.current), b > 0 else { return }
        let ratio = c / b
        finding.shift = ratio - 1
        let spread = [s.baseline, s.current].compactMap(Self.spread).max() ?? 0
        let change = ratio >= 1 ? ratio - 1 : 1 / ratio - 1
        let counts = "\(s.baseline.count) vs \(s.current.count) repetitions"
        let needs = "the test needs \(Self.minimumRepetitions) on each side"
        if change < threshold || abs(c - b) < TimeSamples.floor {
            finding.reason = "\(s.metric) \(Self.percent(ratio - 1)), within the threshold (\(counts), not tested)"
            return
        }
        let far = ratio >= 2 || ratio <= 0.5
        let direction: MetricComparison.Change = ratio > 1 ? .regressed : .improved
        if far && change > 3 * spread {
            finding.verdict = direction
            finding.reason =
                "\(s.metric) \(Self.percent(ratio - 1)): far beyond its repetitions' spread (\(Self.unsigned(spread))); \(counts), \(needs)"
        } else if thresholdIsExplicit {
            finding.verdict = direction
            finding.reason = "\(s.metric) \(Self.percent(ratio - 1)), past the threshold you set (\(counts), not tested; \(needs))"
        } else {
            finding.verdict = .untested
            finding.reason =
                "\(s.metric) \(Self.percent(ratio - 1)) cannot be told from noise with \(counts) (spread \(Self.unsigned(spread))); \(needs)"
        }
        markRow(&finding, "not tested (\(counts); \(needs))")
    }

    /// A side's spread, max − min over the median; nil under two repetitions.
    static func spread(_ side: [Double]) -> Double? {
        guard side.count >= 2, let high = side.max(), let low = side.min(), let median = Median.of(side) else { return nil }
        return (high - low) / median
    }

    /// Holm's correction over the scenario's tested step findings, then each one's verdict: a
    /// regression needs the corrected p under 0.05, the whole confidence interval past the
    /// threshold, and the estimated change past the 0.5 ms floor and the step's noise.
    func settleTimes(_ findings: inout [Finding]) {
        let tested = findings.indices.compactMap { index -> (index: Int, p: Double)? in
            guard let p = findings[index].p, findings[index].verdict == .unchanged else { return nil }
            return (index, p)
        }
        let adjusted = Holm.adjust(tested.map { $0.p })
        for (i, index) in tested.map({ $0.index }).enumerated() {
            var f = findings[index]
            f.pAdjusted = adjusted[i]
            guard let shift = f.shift, let interval = f.interval, let p = f.p, let metric = f.metric else { continue }
            // The noise floor: a shift no larger than the step's own spread between repetitions is
            // not called, however the ranks fell (one slow stretch of the machine can line them up).
            let beyondNoise = abs(shift) > (f.noise ?? 0)
            let significant = adjusted[i] < Self.significanceLevel && abs(f.shiftMs ?? 0) >= TimeSamples.floor && beyondNoise
            if significant && interval[0] > threshold {
                f.verdict = .regressed
            } else if significant && interval[1] < -threshold {
                f.verdict = .improved
            }
            let evidence = String(
                format: "p=%.3g, Holm %.3g, %d vs %d repetitions, noise %@", p, adjusted[i], f.repetitions?[0] ?? 0,
                f.repetitions?[1] ?? 0, Self.unsigned(f.noise ?? 0))
            f.reason =
                "\(metric) \(Self.percent(shift)) (95% CI \(Self.percent(interval[0])) … \(Self.percent(interval[1]))); \(evidence)"
                + (abs(f.shiftMs ?? 0) < TimeSamples.floor && abs(shift) >= threshold ? "; under the \(TimeSamples.floor) ms floor" : "")
                + (!beyondNoise && abs(shift) >= threshold ? "; within the step's noise" : "")
            markRow(&f, "\(evidence) (Mann-Whitney, Hodges–Lehmann)")
            findings[index] = f
        }
    }

    /// The row the finding was judged on carries its verdict and how it was tested.
    func markRow(_ finding: inout Finding, _ significance: String) {
        guard let i = finding.rows.firstIndex(where: { $0.metric == finding.metric }) else { return }
        finding.rows[i].significance = significance
        if finding.verdict != .unchanged { finding.rows[i].verdict = finding.verdict }
    }

    static func percent(_ fraction: Double) -> String { String(format: "%+.1f%%", fraction * 100) }
    static func unsigned(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }
}
