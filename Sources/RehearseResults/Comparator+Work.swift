import Foundation
import RehearseSupport

extension Comparator {
    /// A work counter as `compare` judges it: exactly (no significance test, one repetition is
    /// enough), past the larger of the comparison's threshold and the counter's own, and past its floor.
    package struct WorkCounter: Sendable {
        package var name: String
        package var unit: String
        var threshold: Double
        var floor: Double
        package var value: @Sendable (WorkCounters) -> Int64?
    }

    package static let workCounters: [WorkCounter] = [
        WorkCounter(name: "wal_bytes", unit: "B", threshold: 0.10, floor: 1_048_576) { $0.walBytes },
        WorkCounter(name: "shared_blks_hit", unit: "", threshold: 0.10, floor: 1024) { $0.sharedBlksHit },
        WorkCounter(name: "shared_blks_read", unit: "", threshold: 0.10, floor: 1024) { $0.sharedBlksRead },
        WorkCounter(name: "temp_bytes", unit: "B", threshold: 0.10, floor: 1_048_576) { $0.tempBytes },
        WorkCounter(name: "rows_written", unit: "", threshold: 0.10, floor: 100) { $0.rows },
    ]

    /// One row per work counter both sides measured, from the repetitions whose counters are the
    /// step's alone (`attributed`); a workload's per batch, since how many batches fit its duration
    /// depends on the machine. Rows of unattributed counters are shown, `changed` at most.
    func workRows(step: String, _ baseSteps: [StepResult], _ curSteps: [StepResult]) -> [MetricComparison] {
        let perBatch = (baseSteps + curSteps).contains { $0.kind == "workload" }
        func values(_ steps: [StepResult], _ counter: WorkCounter, attributed: Bool) -> [Double] {
            steps.compactMap { s in
                guard let work = s.work, work.attributed || !attributed, let v = counter.value(work) else { return nil }
                return perBatch ? (s.batches > 0 ? Double(v) / Double(s.batches) : nil) : Double(v)
            }
        }
        var rows: [MetricComparison] = []
        for counter in Self.workCounters {
            let exact = !values(baseSteps, counter, attributed: true).isEmpty && !values(curSteps, counter, attributed: true).isEmpty
            guard let b = Median.of(values(baseSteps, counter, attributed: exact)),
                let c = Median.of(values(curSteps, counter, attributed: exact))
            else { continue }
            let change: Double? = b != 0 ? (c - b) / abs(b) : (c == 0 ? 0 : nil)
            let floor = perBatch ? counter.floor / 100 : counter.floor
            let past = (change.map { abs($0) } ?? .infinity) >= max(threshold, counter.threshold) && abs(c - b) >= floor
            var row = MetricComparison(
                step: step, metric: counter.name + (perBatch ? "/batch" : ""), baseline: b, current: c, change: change, verdict: .unchanged,
                significance: exact ? "exact counter" : "not attributed to the step alone: not judged", note: nil, unit: counter.unit)
            if past { row.verdict = exact ? (c > b ? .regressed : .improved) : .changed }
            rows.append(row)
        }
        return rows
    }

    /// A work counter that grew past its threshold makes the step's finding a regression and names
    /// it first, whatever the times say; one that shrank makes it an improvement when the times found
    /// nothing. A step that started failing stays that.
    func settleWork(_ findings: inout [Finding]) {
        for i in findings.indices where findings[i].metric != "status" {
            let exact = findings[i].rows.filter { $0.significance == "exact counter" }
            let work = exact.filter { $0.verdict != .unchanged }
            // Too few repetitions to test a time, but the server provably did the same work: a
            // step of a few ms that took 3x as long once is the machine, not the deploy.
            if work.isEmpty && !exact.isEmpty && findings[i].p == nil && findings[i].repetitions != nil && !thresholdIsExplicit
                && findings[i].verdict != .unchanged
            {
                findings[i].verdict = .untested
                findings[i].reason += "; not a regression: the server did the same work (exact counters unchanged)"
                continue
            }
            guard let first = work.first(where: { $0.verdict == .regressed }) ?? work.first else { continue }
            if first.verdict == .improved && findings[i].verdict != .unchanged && findings[i].verdict != .untested { continue }
            let time = findings[i].reason
            findings[i].verdict = first.verdict
            findings[i].metric = first.metric
            let b = MetricComparison.formatted(first.baseline, unit: first.unit)
            let c = MetricComparison.formatted(first.current, unit: first.unit)
            findings[i].reason =
                "\(first.metric) \(Self.percent(first.change ?? 0)) (\(b) → \(c), exact counter)" + (time.isEmpty ? "" : "; \(time)")
        }
    }
}
