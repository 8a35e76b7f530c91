import Foundation
import RehearseResults
import RehearseScenario
import RehearseSupport
import RehearseVerdict

/// Turns a sweep's scales into its results, without I/O: the predictions, the
/// `predicted.<metric>` targets judged on their upper bounds, each scale's verdict, and the
/// run's verdict (blocked when any scale's is, or a predicted target is missed) and
/// expectation. Unit tests call it with repetitions built in code.
enum SweepAssembly {
    /// One scale's repetitions and the metrics they merged to.
    struct Scale: Sendable {
        var scale: Double
        var repetitions: [RepetitionResult]
        var merged: [String: StepMetrics] = [:]
        var impacts: [String: StepMetrics] = [:]
    }

    /// `document` was assembled from the last scale's repetitions; the sweep's keys are added
    /// and its verdict, reasons and expectation are made over every scale.
    static func complete(
        _ document: inout ResultsDocument, scenario: Scenario, plan: SweepPlan, scales: [Scale], interrupted: Bool
    ) {
        var sweep: [SweepScale] = []
        for scale in scales {
            let reasons = reasons(of: scale, scenario: SweepPlan.scenario(scenario, at: scale.scale))
            let verdict: Verdict = reasons.isEmpty && !scale.repetitions.isEmpty ? .approved : .blocked
            sweep.append(SweepScale(scale: scale.scale, verdict: verdict, reasons: reasons, repetitions: scale.repetitions))
        }
        var predictions = SweepPredictions.make(
            scales.map { .init(scale: $0.scale, repetitions: $0.repetitions) }, predict: plan.predict, rows: plan.rows)
        let targetReasons = judgePredictedTargets(scenario.targets, predictions: &predictions, predict: plan.predict)

        var reasons = scaleReasons(sweep)
        reasons += targetReasons
        for missing in plan.scales.dropFirst(scales.count) { reasons.append("scale \(format(missing)) did not run") }
        if interrupted { reasons.append("the run was interrupted") }
        let verdict: Verdict = reasons.isEmpty ? .approved : .blocked

        var mismatches: [String] = []
        if verdict != scenario.expect.verdict {
            mismatches.append("verdict: expected \(scenario.expect.verdict.rawValue), got \(verdict.rawValue)")
        }
        for scale in scales {
            // The verdict is the run's, compared once above.
            let own = ExpectationCheck.mismatches(
                scenario.expect, scenario: scenario, repetitions: scale.repetitions, verdict: scenario.expect.verdict)
            mismatches += own.map { "scale \(format(scale.scale)): \($0)" }
        }
        if interrupted { mismatches.append("the run was interrupted") }

        document.verdict = verdict
        document.reasons = reasons
        document.expectation = .init(met: mismatches.isEmpty, mismatches: mismatches)
        document.predictions = predictions
        document.predictionMethod = .standard(scales: plan.scales, predict: plan.predict, rows: plan.rows)
        document.sweep = sweep
    }

    /// A scale's reasons as a run of its own gives them: failed steps and checks of any
    /// repetition, targets on the merged measurements.
    static func reasons(of scale: Scale, scenario: Scenario) -> [String] {
        var reasons: [String] = []
        for rep in scale.repetitions {
            for reason in BlockingReasons.reasons(steps: rep.steps, checks: rep.checks.filter { $0.phase == "deploy" }, targets: [])
            where !reasons.contains(reason) { reasons.append(reason) }
        }
        let targets = TargetEvaluator.evaluate(scenario.targets, metrics: scale.merged, impacts: scale.impacts)
        reasons += BlockingReasons.reasons(steps: [], checks: [], targets: targets)
        if scale.repetitions.isEmpty { reasons.append("no repetition ran") }
        return reasons
    }

    /// Each reason once, with the scales it held at: `scale 0.01, 0.03: step … failed`.
    static func scaleReasons(_ sweep: [SweepScale]) -> [String] {
        var order: [String] = []
        var scalesOf: [String: [Double]] = [:]
        for scale in sweep {
            for reason in scale.reasons {
                if scalesOf[reason] == nil { order.append(reason) }
                scalesOf[reason, default: []].append(scale.scale)
            }
        }
        return order.map { reason in
            let scales = scalesOf[reason] ?? []
            return "scale\(scales.count > 1 ? "s" : "") \(scales.map { format($0) }.joined(separator: ", ")): \(reason)"
        }
    }

    /// Judges every `predicted.<metric>` target on its prediction's upper bound and records
    /// it in the step's prediction; returns the reasons of those missed.
    static func judgePredictedTargets(
        _ groups: [TargetGroup], predictions: inout [String: StepPrediction], predict: Double
    ) -> [String] {
        var reasons: [String] = []
        for group in groups {
            for target in group.targets {
                guard let metric = target.predicted else { continue }
                let prediction = predictions[group.step]
                var fit: ScaleFit?
                var judged = PredictedTarget(target: target.text, metric: "duration", limit: target.value, actual: nil, passed: false)
                switch metric {
                case .duration:
                    fit = prediction?.durationMs
                case .lockHold(let relation):
                    judged.metric = "lock_hold"
                    judged.relation = relation
                    if let longest = prediction?.longestHold(relation: relation) {
                        fit = longest.fit
                        (judged.relation, judged.mode) = (longest.relation, longest.mode)
                    }
                }
                judged.actual = fit.map { ($0.high * 1000).rounded() / 1000 }
                judged.passed = judged.actual.map { target.op.holds($0, target.value) } ?? false
                let passed = judged.passed
                var entry = prediction ?? StepPrediction(scale: predict)
                entry.targets = (entry.targets ?? []) + [judged]
                predictions[group.step] = entry
                let what = judged.mode.map { ", \(judged.relation ?? "") \($0)" } ?? ""
                guard !passed else { continue }
                let detail =
                    fit.map {
                        "predicted \(format(ms: $0.value)) at scale \(format(predict)), up to \(format(ms: $0.high))\(what), \($0.model.rawValue)"
                    } ?? "no prediction: the step has too few successful measurements"
                reasons.append("target \(group.step): \(target.text) (\(detail))")
            }
        }
        return reasons
    }

    static func format(_ scale: Double) -> String { "\(scale)" }

    static func format(ms: Double) -> String {
        ms >= 10_000 ? String(format: "%.1f s", ms / 1000) : String(format: "%.0f ms", ms)
    }
}
