/// Sends each step to the code of its kind.
enum StepDispatcher {
    static func run(_ step: Step, context: StepContext, keepCopy: Set<String>) async -> StepMeasurement {
        switch step.kind {
        case .sql(let source): await SQLStep.run(source, context: context)
        case .migrate(let spec): await Migrate.run(spec, context: context)
        case .seed(let spec): await Seed.run(spec, context: context)
        case .backfill(let spec): await Backfill.run(spec, context: context)
        case .workload(let spec): await Workload.run(spec, context: context, stop: StopSignal())
        case .run(let spec): await RunCommand.run(spec, context: context)
        case .snapshot(let name): await SnapshotStep.run(name: name, context: context, keepCopy: keepCopy.contains(name))
        }
    }
}
