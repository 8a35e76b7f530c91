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
        var problems: [String] = []
        if verdict != expect.verdict { problems.append("verdict: expected \(expect.verdict.rawValue), got \(verdict.rawValue)") }
        for (index, rep) in repetitions.enumerated() {
            let label = repetitions.count > 1 ? "repetition \(index + 1): " : ""
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
            let wantedRollback = expect.rollback ?? (scenario.rollback.map { $0.when == .never ? nil : RollbackStatus.passed } ?? nil)
            if let wantedRollback, rep.rollback.status != .notRun || expect.rollback != nil, rep.rollback.status != wantedRollback {
                problems.append("\(label)rollback: expected \(wantedRollback.rawValue), got \(rep.rollback.status.rawValue)")
            }
        }
        return problems
    }
}
