import Foundation

extension Comparator {
    /// The sweep's predictions at production's scale, compared by their 95% intervals: a
    /// prediction regressed when the current interval lies wholly above the baseline's, and
    /// improved when wholly below; intervals that overlap are no evidence of a change,
    /// whatever the point values say. One finding per step with a prediction on both sides;
    /// predictions made for different scales are told apart, not compared.
    func predictionFindings(_ baseline: ResultsDocument, _ current: ResultsDocument) -> [Finding] {
        guard let before = baseline.predictions, let after = current.predictions else { return [] }
        var findings: [Finding] = []
        for step in after.keys.sorted() {
            guard let was = before[step], let now = after[step] else { continue }
            guard was.scale == now.scale else {
                findings.append(
                    noteFinding(
                        step: step, metric: "predicted", .changed,
                        "predicted for scale \(Self.scaleText(was.scale)) → \(Self.scaleText(now.scale)): not compared"))
                continue
            }
            var rows: [MetricComparison] = []
            if let b = was.durationMs, let c = now.durationMs { rows.append(predictionRow(step, "predicted.duration", b, c)) }
            for (relation, modes) in (now.lockHold ?? [:]).sorted(by: { $0.key < $1.key }) {
                for (mode, c) in modes.sorted(by: { $0.key < $1.key }) {
                    guard let b = was.lockHold?[relation]?[mode] else { continue }
                    rows.append(predictionRow(step, "predicted.lock_hold.\(relation).\(mode)", b, c))
                }
            }
            guard !rows.isEmpty else { continue }
            let worse = rows.filter { $0.verdict == .regressed }
            let better = rows.filter { $0.verdict == .improved }
            let decisive = worse.first ?? better.first
            let verdict: MetricComparison.Change = !worse.isEmpty ? .regressed : !better.isEmpty ? .improved : .unchanged
            let reason =
                decisive.map { "\($0.metric) at scale \(Self.scaleText(now.scale)): \($0.note ?? "")" }
                ?? "predictions at scale \(Self.scaleText(now.scale)) within each other's intervals"
            findings.append(Finding(step: step, verdict: verdict, metric: decisive?.metric ?? "predicted", reason: reason, rows: rows))
        }
        return findings
    }

    /// One prediction's row: the point values, and the verdict from the intervals.
    func predictionRow(_ step: String, _ metric: String, _ b: ScaleFit, _ c: ScaleFit) -> MetricComparison {
        let change: Double? = b.value != 0 ? (c.value - b.value) / abs(b.value) : nil
        let verdict: MetricComparison.Change = c.low > b.high ? .regressed : c.high < b.low ? .improved : .unchanged
        func ms(_ fit: ScaleFit) -> String {
            String(format: "%.0f ms (%.0f–%.0f)", fit.value, fit.low, fit.high)
        }
        return MetricComparison(
            step: step, metric: metric, baseline: b.value, current: c.value, change: change, verdict: verdict, significance: nil,
            note: "\(ms(b)) → \(ms(c))", unit: "ms")
    }

    static func scaleText(_ scale: Double) -> String {
        scale == scale.rounded() ? String(Int(scale)) : String(scale)
    }
}
