/// A sweep's predictions from its scales' repetitions, without I/O: each step's duration
/// and each table lock's longest hold, fitted with `ScaleFit` and extrapolated to `predict`.
/// Only repetitions in which the step succeeded count: a failed or skipped step measured
/// something else than the step's work.
package enum SweepPredictions {
    package struct Scale: Sendable {
        package var scale: Double
        package var repetitions: [RepetitionResult]
        package init(scale: Double, repetitions: [RepetitionResult]) {
            self.scale = scale
            self.repetitions = repetitions
        }
    }

    /// Steps without a single fit (too few measurements) are left out. Background steps are
    /// too: they run for as long as the steps beside them, whatever the scale.
    package static func make(_ scales: [Scale], predict: Double, rows: Double) -> [String: StepPrediction] {
        var names: [String] = []
        for scale in scales {
            for rep in scale.repetitions {
                for step in rep.steps where step.background != true && !names.contains(step.name) { names.append(step.name) }
            }
        }
        var predictions: [String: StepPrediction] = [:]
        for name in names {
            var durations: [ScaleFit.Point] = []
            var holds: [LockKey: [ScaleFit.Point]] = [:]
            var sampled: Set<LockKey> = []
            for scale in scales {
                let steps = scale.repetitions.compactMap { rep in rep.steps.first { $0.name == name && $0.status == .ok } }
                durations.append(.init(scale: scale.scale, values: steps.map(\.durationMs)))
                var values: [LockKey: [Double]] = [:]
                for step in steps {
                    // One entry per relation and mode; the longest, should a document repeat one.
                    var longest: [LockKey: Double] = [:]
                    for lock in step.locksTaken ?? [] where lock.kind == nil || lock.kind == "relation" {
                        let key = LockKey(relation: lock.relation, mode: lock.mode)
                        longest[key] = max(longest[key] ?? 0, lock.heldMs)
                        if lock.exact != true { sampled.insert(key) }
                    }
                    for (key, held) in longest { values[key, default: []].append(held) }
                }
                for (key, v) in values { holds[key, default: []].append(.init(scale: scale.scale, values: v)) }
            }
            var prediction = StepPrediction(scale: predict, durationMs: ScaleFit.fit(durations, predict: predict, rows: rows))
            var lockHold: [String: [String: ScaleFit]] = [:]
            var exact = true
            for (key, points) in holds {
                guard var fit = ScaleFit.fit(points, predict: predict, rows: rows) else { continue }
                // A lock the step took is held no longer than the step runs; fitted on their
                // own (and sampled to 50 ms) the two lines can cross, so the hold is capped.
                if let duration = prediction.durationMs {
                    fit.value = min(fit.value, duration.value)
                    fit.low = min(fit.low, duration.low)
                    fit.high = min(fit.high, duration.high)
                }
                lockHold[key.relation, default: [:]][key.mode] = fit
                // Exact when every hold of every lock with a prediction was.
                if sampled.contains(key) { exact = false }
            }
            if !lockHold.isEmpty {
                prediction.lockHold = lockHold
                prediction.lockHoldExact = exact
            }
            if prediction.durationMs != nil || prediction.lockHold != nil { predictions[name] = prediction }
        }
        return predictions
    }

    private struct LockKey: Hashable {
        var relation: String
        var mode: String
    }
}
