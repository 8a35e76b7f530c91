import Foundation
import RehearseSupport
import RehearseResults
import RehearseScenario

extension RepetitionRunner {
    /// The rollback rehearsal, when the scenario asks for one now. It obeys the step
    /// timeout and gives way to an interrupt like a step; one that has not begun when the
    /// run is interrupted does not begin, and the results say why.
    func rehearseRollback(verdict: Verdict, snapshots: SnapshotStore) async -> RollbackRunner.Outcome {
        var notRun = RollbackResult(status: .notRun, durationMs: nil, error: nil, differences: [], via: nil)
        guard let plan = scenario.rollback, plan.when == .always || (plan.when == .onBlocked && verdict == .blocked) else {
            return RollbackRunner.Outcome(result: notRun, checkResults: [])
        }
        if Task.isCancelled {
            notRun.via = plan.via.rawValue
            notRun.reason = "the run was interrupted before the rollback began"
            return RollbackRunner.Outcome(result: notRun, checkResults: [])
        }
        let runner = RollbackRunner(scenario: scenario, host: host, database: database, snapshots: snapshots)
        let (outcome, ending) = await Deadline.run(timeout: stepTimeout) { await runner.run(plan) }
        guard ending != .finished, outcome.result.status != .passed else { return outcome }
        var cut = outcome
        let why =
            ending == .timedOut
            ? "the rollback ran past its timeout of \(stepTimeout) and was canceled"
            : "the rollback was canceled: the run was interrupted"
        cut.result.status = .failed
        cut.result.error = ErrorInfo(sqlstate: "57014", message: why, migration: outcome.result.error?.migration)
        return cut
    }
}
