import RehearseScenario

/// A sweep's runs, decided without I/O (scenario-format.md, *Predicting production from
/// smaller rehearsals*): the scales in increasing order, the scenario as it runs at each,
/// and the `rows` of the n·log n model. The driver (`ScenarioRun.sweep`) runs each scale's
/// repetitions on fresh databases of one server; unit tests check the plan alone.
struct SweepPlan: Sendable, Equatable {
    let scales: [Double]
    let predict: Double
    /// The largest profiled table that a synthesize step taking the sweep's scale fills:
    /// the n of n·log n at scale 1 (1 without a profile).
    let rows: Double

    init?(_ scenario: Scenario) {
        guard let sweep = scenario.sweep else { return nil }
        scales = sweep.scales
        predict = sweep.predict
        var rows = 1.0
        for step in scenario.steps {
            guard case .synthesize(let spec) = step.kind, !spec.scaleGiven, let profile = spec.profile else { continue }
            for table in profile.tables where spec.tables?.contains(table.name) ?? true { rows = max(rows, table.rows) }
        }
        self.rows = rows
    }

    /// The scenario at one scale: every synthesize step without a `scale` of its own takes
    /// it, and the `predicted.<metric>` targets are left to the sweep, which judges them on
    /// the prediction (one scale's measurements are not what they speak of).
    static func scenario(_ scenario: Scenario, at scale: Double) -> Scenario {
        var scaled = scenario
        for index in scaled.steps.indices {
            guard case .synthesize(var spec) = scaled.steps[index].kind, !spec.scaleGiven else { continue }
            spec.scale = scale
            scaled.steps[index].kind = .synthesize(spec)
        }
        scaled.targets = scaled.targets.compactMap { group in
            var group = group
            group.targets.removeAll { $0.predicted != nil }
            return group.targets.isEmpty ? nil : group
        }
        return scaled
    }

    /// What `rehearse ab` runs of a sweep: its largest scale, the one nearest production
    /// (a side by side comparison of predictions would need every scale on both sides).
    static func largestScale(of scenario: Scenario) -> Scenario {
        guard let plan = SweepPlan(scenario), let largest = plan.scales.last else { return scenario }
        var scaled = Self.scenario(scenario, at: largest)
        scaled.sweep = nil
        return scaled
    }
}
