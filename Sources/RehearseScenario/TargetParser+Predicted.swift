import Foundation
import RehearseSupport

extension TargetParser {
    /// `predicted.duration < 30s`, `predicted.lock_hold < 2s`, `predicted.lock_hold.leads < 500ms`:
    /// judged on the upper bound of a sweep's prediction, so only `<` and `<=` say something
    /// (a lower limit on an upper bound holds however uncertain the prediction is).
    static func parsePredicted(_ text: String, location: SourceLocation) -> Result<Target, TargetParseError>? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("predicted.") else { return nil }
        let ops = ["<=", ">=", "<", ">"]
        guard let op = ops.first(where: { trimmed.contains($0) }), let range = trimmed.range(of: op) else {
            return .failure(TargetParseError("expected `predicted.<metric> < <value>` (e.g. `predicted.lock_hold < 2s`)"))
        }
        let name = trimmed[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let metric: PredictedMetric
        switch name {
        case "predicted.duration": metric = .duration
        case "predicted.lock_hold": metric = .lockHold(relation: nil)
        default:
            let prefix = "predicted.lock_hold."
            guard name.hasPrefix(prefix), name.count > prefix.count, !name.contains(" ") else {
                return .failure(
                    TargetParseError(
                        "unknown predicted metric '\(name)' (known: predicted.duration, predicted.lock_hold, predicted.lock_hold.<relation>)"
                    ))
            }
            metric = .lockHold(relation: String(name.dropFirst(prefix.count)))
        }
        guard op == "<" || op == "<=", let comparison = ComparisonOperator(rawValue: op) else {
            return .failure(
                TargetParseError("a predicted target is judged on the prediction's upper bound: use < or <= (e.g. `\(name) < 2s`)"))
        }
        let valueText = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
        switch Units.parseDuration(valueText).map(\.milliseconds) {
        case .success(let value):
            return .success(
                Target(text: text, metric: .duration, op: comparison, value: value, location: location, predicted: metric))
        case .failure(let error): return .failure(TargetParseError(error.message))
        }
    }
}
