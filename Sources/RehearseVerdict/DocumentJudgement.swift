import RehearseHistogram
package import RehearseResults
package import RehearseScenario
package import RehearseSupport

/// A scenario's verdict, reasons, expectation and summary from its repetitions and the
/// measurements merged over them: what `run` writes at the end of a scenario, and what
/// `merge` computes again over the parts of a sharded or sliced run.
package enum DocumentJudgement {
    package struct Judgement: Sendable {
        package var verdict: Verdict
        package var reasons: [String]
        package var expectation: ResultsDocument.ExpectationResult
        package var summary: ResultsDocument.Summary
    }

    package static func judge(
        targets: [TargetGroup], expect: ExpectInfo, repetitions: [RepetitionResult], merged: [String: StepMetrics],
        impacts: [String: StepMetrics], interrupted: Bool
    ) -> Judgement {
        // Steps and checks from every repetition; targets on the merged measurements.
        var reasons: [String] = []
        for rep in repetitions {
            for reason in BlockingReasons.reasons(steps: rep.steps, checks: rep.checks.filter { $0.phase == "deploy" }, targets: [])
            where !reasons.contains(reason) { reasons.append(reason) }
        }
        let mergedTargets = TargetEvaluator.evaluate(targets, metrics: merged, impacts: impacts)
        reasons += BlockingReasons.reasons(steps: [], checks: [], targets: mergedTargets)
        if interrupted { reasons.append("the run was interrupted") }
        let verdict: Verdict = reasons.isEmpty && !repetitions.isEmpty ? .approved : .blocked
        if repetitions.isEmpty && reasons.isEmpty { reasons.append("no repetition ran") }
        let mismatches = ExpectationCheck.mismatches(expect, repetitions: repetitions, verdict: verdict)
        return Judgement(
            verdict: verdict, reasons: reasons,
            expectation: .init(
                met: mismatches.isEmpty && !interrupted, mismatches: mismatches + (interrupted ? ["the run was interrupted"] : [])),
            summary: .init(steps: merged.mapValues(summarize)))
    }

    static func summarize(_ m: StepMetrics) -> ResultsDocument.StepSummary {
        var step = ResultsDocument.StepSummary(
            latencyMs: m.latency.summary, durationMs: m.durationsMs.map { ($0 * 1000).rounded() / 1000 },
            errorRate: m.errorRate, batches: m.batches,
            // Rows per repetition (the median), so runs with different `repeat` compare.
            rows: m.value(of: .rows).map { Int($0) },
            throughput: m.value(of: .throughput), serverMemoryPeak: m.serverMemoryPeak,
            clientMemoryPeak: m.clientMemoryPeak, histogram: m.latency.count > 0 ? m.latency.encoded() : nil)
        // A workload of several transactions: each merged as the step is, without its histogram.
        if m.transactions.count > 1 {
            step.transactions = m.transactions.mapValues {
                var transaction = summarize($0)
                transaction.histogram = nil
                return transaction
            }
        }
        return step
    }
}

extension ResultsDocument.ScenarioInfo {
    /// The scenario's targets by the label they are judged under, as the document carries them.
    package static func targets(of groups: [TargetGroup]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for group in groups { result[group.label, default: []] += group.targets.map(\.text) }
        return result
    }
}
