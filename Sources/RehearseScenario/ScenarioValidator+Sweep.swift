extension ScenarioValidator {
    /// A sweep needs something that changes with the scale, and measurements enough for a fit.
    func validateSweep(_ scenario: Scenario) {
        for group in scenario.targets {
            for target in group.targets where target.predicted != nil {
                if scenario.sweep == nil {
                    reader.fail(
                        at: target.location, "targets.\(group.label)",
                        "'\(target.text)' judges a prediction, which needs `sweep: {scale: [...], predict: ...}`")
                } else if group.impact || group.transaction != nil {
                    reader.fail(
                        at: target.location, "targets.\(group.label)",
                        "a prediction is made per step: put '\(target.text)' on '\(group.step)'")
                }
            }
        }
        guard let sweep = scenario.sweep, Sweep.scaleCount.contains(sweep.scales.count) else { return }
        let takesScale = scenario.steps.contains { step in
            if case .synthesize(let spec) = step.kind { !spec.scaleGiven } else { false }
        }
        if !takesScale {
            reader.fail(
                at: sweep.location, "sweep",
                "a sweep needs a synthesize step without a `scale` of its own, which takes the sweep's: otherwise every scale runs the same data"
            )
        }
        if sweep.scales.count * scenario.repeatCount < Sweep.minMeasurements {
            reader.fail(
                at: sweep.location, "sweep.scale",
                "\(sweep.scales.count) scales of \(scenario.repeatCount) repetition give \(sweep.scales.count * scenario.repeatCount) measurements; a prediction with an interval needs \(Sweep.minMeasurements) (a third scale, or `repeat: 2`)"
            )
        }
    }
}
