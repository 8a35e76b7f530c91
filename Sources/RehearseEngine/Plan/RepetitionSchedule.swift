import RehearseScenario

/// What a repetition does next, decided without I/O: which step runs, which steps an
/// earlier failure or an interrupt skips, when background workloads start and when they
/// stop. The driver (`RepetitionRunner`) performs each action and reports back how a
/// foreground step ended; unit tests drive the schedule alone, in microseconds.
struct RepetitionSchedule: Sendable {
    enum Action: Equatable, Sendable {
        /// Step `index` is not run, for `reason`; its lock faults are not applied.
        case skip(index: Int, reason: SkipReason)
        /// Step `index`, a background workload, starts and runs until the step named
        /// `until` ends (its own name: until the repetition's steps are done).
        case startBackground(index: Int, until: String)
        /// Step `index` runs in the foreground; report its end with `finished(_:failed:infrastructureFailure:)`.
        case run(index: Int)
        /// These background steps stop now, in this order.
        case stopBackgrounds([Int])
        /// Every step ran or was skipped, and no background workload is left.
        case done
    }

    enum SkipReason: Equatable, Sendable {
        /// A step before it failed with `on_error: stop`, or could not be run as asked.
        case earlierStepFailed
        /// SIGINT or SIGTERM.
        case interrupted

        var text: String {
            switch self {
            case .earlierStepFailed: "an earlier step failed and stopped the run"
            case .interrupted: "the run was interrupted"
            }
        }
    }

    /// What the schedule needs to know of a step.
    struct StepShape: Equatable, Sendable {
        var name: String
        var background: Bool
        /// `on_error: stop` (the default): a failure skips the steps after it.
        var stopsOnError: Bool
        /// The foreground step whose end stops this background step.
        var until: String
    }

    private let steps: [StepShape]
    private var cursor = 0
    /// Background steps started and not yet stopped, in start order.
    private var running: [Int] = []
    private var toStop: [Int] = []
    private var awaiting: Int?
    private(set) var stopped = false

    init(steps: [StepShape]) {
        self.steps = steps
    }

    init(scenario: Scenario) {
        self.init(
            steps: scenario.steps.map { step in
                // Only a workload runs beside other steps; the format allows `background` on nothing else.
                let background: Bool
                if case .workload = step.kind { background = step.background } else { background = false }
                return StepShape(
                    name: step.name, background: background, stopsOnError: step.onError == .stop,
                    until: background ? scenario.stoppingStep(of: step) ?? step.name : step.name)
            })
    }

    /// The next action. `interrupted`: the run was asked to stop; the steps not yet begun are skipped.
    mutating func next(interrupted: Bool) -> Action {
        precondition(awaiting == nil, "step \(awaiting ?? -1) has not reported how it ended")
        if !toStop.isEmpty {
            defer { toStop = [] }
            return .stopBackgrounds(toStop)
        }
        guard cursor < steps.count else {
            guard running.isEmpty else {
                defer { running = [] }
                return .stopBackgrounds(running)
            }
            return .done
        }
        let index = cursor
        cursor += 1
        if stopped || interrupted {
            return .skip(index: index, reason: stopped ? .earlierStepFailed : .interrupted)
        }
        if steps[index].background {
            running.append(index)
            return .startBackground(index: index, until: steps[index].until)
        }
        awaiting = index
        return .run(index: index)
    }

    /// How foreground step `index` ended. Background steps waiting for it to end stop
    /// next; a failure under `on_error: stop`, or a step that could not be run as asked
    /// (whatever its `on_error`), skips the steps after it.
    mutating func finished(_ index: Int, failed: Bool, infrastructureFailure: Bool) {
        precondition(awaiting == index, "step \(index) was not running")
        awaiting = nil
        let name = steps[index].name
        toStop = running.filter { steps[$0].until == name }
        running.removeAll { steps[$0].until == name }
        if (failed && steps[index].stopsOnError) || infrastructureFailure { stopped = true }
    }
}
