import RehearseScenario

/// Sends each step to the code of its kind.
enum StepDispatcher {
    static func run(_ step: Step, context: StepContext, keepCopy: Set<String>) async -> StepMeasurement {
        // A `run` step caps its own process (see `RunCommand`); the others work in this
        // process, where the cap is a check of jemalloc's count.
        var inProcessCap: MemoryCapOutcome?
        if context.memoryLimit != nil {
            if case .run = step.kind {} else { inProcessCap = MemoryCapOutcome.inProcess() }
        }
        if case .notApplied(let reason) = inProcessCap,
            let refused = StepMeasurement.cannotEnforceMemoryCap(reason, context: context)
        {
            return refused
        }
        var measurement: StepMeasurement =
            switch step.kind {
            case .sql(let source): await SQLStep.run(source, context: context)
            case .migrate(let spec): await Migrate.run(spec, context: context)
            case .seed(let spec): await Seed.run(spec, context: context)
            case .backfill(let spec): await Backfill.run(spec, context: context)
            case .workload(let spec): await Workload.run(spec, context: context, stop: StopSignal())
            case .run(let spec): await RunCommand.run(spec, context: context)
            case .snapshot(let name): await SnapshotStep.run(name: name, context: context, keepCopy: keepCopy.contains(name))
            case .synthesize(let spec): await Synthesize.run(spec, context: context)
            }
        if let inProcessCap { measurement.memoryCap = inProcessCap }
        return measurement
    }
}
