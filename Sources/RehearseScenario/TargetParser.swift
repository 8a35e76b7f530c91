import Foundation

/// Parses `<metric> [over <window>] <op> <value>` (`p95 < 2000ms`, `error_rate < 1%`,
/// `client_memory_peak < 450MB`, `p99 over 10s < 500ms`).
package enum TargetParser {
    package static func parse(_ text: String, location: SourceLocation) -> Result<Target, TargetParseError> {
        if let predicted = parsePredicted(text, location: location) { return predicted }
        let ops = ["<=", ">=", "<", ">"]
        guard let op = ops.first(where: { text.contains($0) }), let range = text.range(of: op) else {
            return .failure(TargetParseError("expected `<metric> <op> <value>` with op one of <, <=, >, >= (e.g. `p95 < 2000ms`)"))
        }
        // `p99 over 10s`: the metric, judged over every window of that length.
        let lhs = text[..<range.lowerBound].split(separator: " ", omittingEmptySubsequences: true)
        let metricText = lhs.first.map(String.init) ?? ""
        let valueText = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard let metric = Target.Metric(rawValue: metricText) else {
            let known = Target.Metric.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(
                TargetParseError(
                    "unknown metric '\(metricText)' (known: \(known); with a sweep, predicted.duration and predicted.lock_hold)"))
        }
        var window: Duration?
        if lhs.count > 1 {
            guard lhs.count == 3, lhs[1] == "over", let w = Units.duration(String(lhs[2])), w >= .seconds(1) else {
                return .failure(
                    TargetParseError(
                        "expected `<metric> over <window> <op> <value>` with a window of 1s or more (e.g. `p99 over 10s < 500ms`)"))
            }
            guard metric.windowable else {
                let known = Target.Metric.allCases.filter(\.windowable).map(\.rawValue).joined(separator: ", ")
                return .failure(TargetParseError("'\(metricText)' cannot be judged over a window (windowed metrics: \(known))"))
            }
            window = w
        }
        guard let comparison = ComparisonOperator(rawValue: op) else { return .failure(TargetParseError("bad operator")) }
        let parsed: Result<Double, UnitError>
        switch metric {
        case .p50, .p90, .p95, .p99, .p999, .max, .mean, .duration:
            parsed = Units.parseDuration(valueText).map(\.milliseconds)
        case .errorRate:
            parsed =
                Units.fraction(valueText).map { .success($0) }
                ?? .failure(UnitError(message: "'\(valueText)' is not a fraction from 0 to 1 (write 1% or 0.01)"))
        case .serverMemoryPeak, .clientMemoryPeak:
            parsed = Units.parseSize(valueText).map(Double.init)
        case .throughput:
            parsed = Units.parseRate(valueText)
        case .errors, .batches, .rows:
            parsed = count(valueText)
        }
        let value: Double
        switch parsed {
        case .success(let v): value = v
        case .failure(let error): return .failure(TargetParseError(error.message))
        }
        return .success(Target(text: text, metric: metric, op: comparison, value: value, window: window, location: location))
    }
}

extension TargetParser {
    private static func count(_ text: String) -> Result<Double, UnitError> {
        guard let n = Units.number(Substring(text)) else { return .failure(UnitError(message: "'\(text)' is not a number")) }
        guard n >= 0, n <= NumberRanges.maxCount else {
            return .failure(UnitError(message: "'\(text)' is out of range: a count is between 0 and 2^53 (9007199254740992)"))
        }
        return .success(n)
    }
}

package struct TargetParseError: Error {
    package var message: String
    init(_ message: String) { self.message = message }
}
