import Foundation

/// Why a deployment is blocked: failed steps, failed checks, missed targets, in the words
/// the summary, the report and the results document use.
package enum BlockingReasons {
    package static func reasons(steps: [StepResult], checks: [CheckResult], targets: [TargetResult]) -> [String] {
        var reasons: [String] = []
        for step in steps where step.status == .failed {
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

    package static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "nothing"
        case .bool(let b): "\(b)"
        case .number(let n): formatNumber(n)
        case .string(let s): s
        case .array(let a): a.map(text).joined(separator: "; ")
        case .object(let o): o.sorted { $0.key < $1.key }.map { "\($0.key) \(text($0.value))" }.joined(separator: ", ")
        }
    }

    package static func formatNumber(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(format: "%.3f", n)
    }
}
