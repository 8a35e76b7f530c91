import Foundation
package import RehearseResults
package import RehearseScenario
package import RehearseSupport

/// How a run's outcome differs from the scenario's `expect`.
package enum ExpectationCheck {
    /// Compares the outcome with the scenario's `expect`.
    package static func mismatches(
        _ expect: Expectation, scenario: Scenario, repetitions: [RepetitionResult], verdict: Verdict
    )
        -> [String]
    {
        mismatches(ExpectInfo(expect, scenario: scenario), repetitions: repetitions, verdict: verdict)
    }

    /// Compares the outcome with an `expect` as a results document carries it (`merge`).
    package static func mismatches(_ expect: ExpectInfo, repetitions: [RepetitionResult], verdict: Verdict) -> [String] {
        var problems: [String] = []
        if verdict != expect.verdict { problems.append("verdict: expected \(expect.verdict.rawValue), got \(verdict.rawValue)") }
        for (index, rep) in repetitions.enumerated() {
            let label = repetitions.count > 1 ? "repetition \(rep.index ?? index + 1): " : ""
            if let wanted = expect.failedChecks {
                let failed = Set(rep.checks.filter { !$0.passed && $0.phase == "deploy" }.map(\.name))
                if failed != Set(wanted) {
                    problems.append("\(label)failed_checks: expected \(wanted.sorted()), got \(failed.sorted())")
                }
            }
            for (step, state) in (expect.stepErrors ?? [:]).sorted(by: { $0.key < $1.key }) {
                let actual = rep.steps.first { $0.name == step }
                if actual?.status != .failed || actual?.error?.sqlstate != state {
                    let got =
                        actual.map { $0.status == .failed ? "failed with \($0.error?.sqlstate ?? "no SQLSTATE")" : $0.status.rawValue }
                        ?? "not run"
                    problems.append("\(label)step_errors.\(step): expected \(state), got \(got)")
                }
            }
            let wantedRollback = expect.rollback ?? expect.rollbackDefault
            if let wantedRollback, rep.rollback.status != .notRun || expect.rollback != nil, rep.rollback.status != wantedRollback {
                problems.append("\(label)rollback: expected \(wantedRollback.rawValue), got \(rep.rollback.status.rawValue)")
            }
        }
        return problems
    }
}

extension ExpectInfo {
    /// The scenario's `expect`, with the rollback expected when it names none: `passed`
    /// when the scenario rehearses a rollback.
    package init(_ expect: Expectation, scenario: Scenario) {
        self.init(
            verdict: expect.verdict, failedChecks: expect.failedChecks, stepErrors: expect.stepErrors, rollback: expect.rollback,
            rollbackDefault: expect.rollback == nil
                ? (scenario.rollback.map { $0.when == .never ? nil : RollbackStatus.passed } ?? nil) : nil)
    }
}
