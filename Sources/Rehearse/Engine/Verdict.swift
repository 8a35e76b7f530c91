import Foundation

/// Why a deployment is blocked: failed steps, failed checks, missed targets.
enum Verdict {
    static func reasons(steps: [StepResult], checks: [CheckResult], targets: [TargetResult]) -> [String] {
        var reasons: [String] = []
        for step in steps where step.status == "failed" {
            let error = step.error.map { e in (e.sqlstate.map { "\($0) " } ?? "") + e.message } ?? "failed"
            // A migrate step names the migration file at fault, which the message may not.
            let file = step.error?.migration.map { " at \($0)" } ?? ""
            reasons.append("step \(step.name) failed\(file): \(error)")
        }
        for check in checks where !check.passed {
            reasons.append("check \(check.name): expected \(text(check.expected)), got \(text(check.actual))")
        }
        for target in targets where !target.passed {
            let actual = target.actual.map { formatNumber($0) } ?? "no measurement"
            let window = target.window.map { w in
                " in seconds \(w.fromSecond)-\(w.toSecond)" + (w.repetition.map { " of repetition \($0)" } ?? "")
            }
            reasons.append("target \(target.step): \(target.target) (actual \(actual)\(window ?? ""))")
        }
        return reasons
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "nothing"
        case .bool(let b): "\(b)"
        case .number(let n): formatNumber(n)
        case .string(let s): s
        case .array(let a): a.map(text).joined(separator: "; ")
        case .object(let o): o.keys.sorted().map { "\($0) \(text(o[$0]!))" }.joined(separator: ", ")
        }
    }

    static func formatNumber(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(format: "%.3f", n)
    }

    /// Compares the outcome with the scenario's `expect`.
    static func mismatches(
        _ expect: Expectation, scenario: Scenario, repetitions: [RepetitionResult], verdict: String
    )
        -> [String]
    {
        var problems: [String] = []
        if verdict != expect.verdict.rawValue { problems.append("verdict: expected \(expect.verdict.rawValue), got \(verdict)") }
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
                if actual?.status != "failed" || actual?.error?.sqlstate != state {
                    let got =
                        actual.map { $0.status == "failed" ? "failed with \($0.error?.sqlstate ?? "no SQLSTATE")" : $0.status } ?? "not run"
                    problems.append("\(label)step_errors.\(step): expected \(state), got \(got)")
                }
            }
            let wantedRollback = expect.rollback ?? (scenario.rollback.map { $0.when == .never ? nil : "passed" } ?? nil)
            if let wantedRollback, rep.rollback.status != "not_run" || expect.rollback != nil, rep.rollback.status != wantedRollback {
                problems.append("\(label)rollback: expected \(wantedRollback), got \(rep.rollback.status)")
            }
        }
        return problems
    }
}
