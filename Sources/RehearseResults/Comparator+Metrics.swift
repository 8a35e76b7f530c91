import Foundation
package import RehearseHistogram
import RehearseSupport

extension Comparator {
    /// One metric of a step: how to read it from both sides, and which way is worse.
    struct Metric: Sendable {
        var name: String
        var unit: String
        /// The smallest absolute change that can count, in the metric's unit.
        var floor: Double
        /// nil for informational metrics (rows): any difference is `changed`.
        var higherIsWorse: Bool?
        /// The value compared: from the summary (merged over repetitions) when there is one, else from the repetitions.
        var value: @Sendable (ResultsDocument.StepSummary?, [StepResult]) -> Double?
        /// One value per repetition, for the significance test.
        var perRepetition: @Sendable (StepResult) -> Double?
    }

    static func latency(_ name: String, _ key: any (KeyPath<LatencySummary, Double> & Sendable)) -> Metric {
        Metric(
            name: name, unit: "ms", floor: 0.5, higherIsWorse: true,
            value: { summary, steps in mergedLatency(summary, steps)?[keyPath: key] },
            perRepetition: { $0.latencyMs?[keyPath: key] })
    }

    static let metrics: [Metric] = [
        latency("p50", \.p50), latency("p95", \.p95), latency("p99", \.p99), latency("max", \.max), latency("mean", \.mean),
        Metric(
            name: "duration", unit: "ms", floor: 0.5, higherIsWorse: true,
            value: { summary, steps in
                if let durations = summary?.durationMs, !durations.isEmpty { return Median.of(durations) }
                return Median.of(steps.map(\.durationMs))
            },
            perRepetition: { $0.durationMs }),
        Metric(
            name: "throughput", unit: "/s", floor: 0, higherIsWorse: false,
            value: { summary, steps in summary?.throughput ?? throughput(steps) },
            perRepetition: { throughput([$0]) }),
        Metric(
            name: "error_rate", unit: "ratio", floor: 0.001, higherIsWorse: true,
            value: { summary, steps in summary?.errorRate ?? errorRate(steps) },
            perRepetition: { errorRate([$0]) }),
        Metric(
            name: "server_memory_peak", unit: "B", floor: 1_048_576, higherIsWorse: true,
            value: { summary, steps in
                summary?.serverMemoryPeak.map(Double.init) ?? steps.compactMap(\.serverMemoryPeak).max().map(Double.init)
            },
            perRepetition: { $0.serverMemoryPeak.map(Double.init) }),
        Metric(
            name: "client_memory_peak", unit: "B", floor: 1_048_576, higherIsWorse: true,
            value: { summary, steps in
                summary?.clientMemoryPeak.map(Double.init) ?? steps.compactMap(\.clientMemoryPeak).max().map(Double.init)
            },
            perRepetition: { $0.clientMemoryPeak.map(Double.init) }),
        Metric(
            name: "rows", unit: "", floor: 0, higherIsWorse: nil,
            value: { summary, steps in summary?.rows.map(Double.init) ?? steps.last.map { Double($0.rows) } },
            perRepetition: { Double($0.rows) }),
    ]

    /// Percentiles over all repetitions: the summary's, else its merged histogram's, else the
    /// repetitions' histograms merged here; without histograms, the median of the repetitions' figures.
    package static func mergedLatency(_ summary: ResultsDocument.StepSummary?, _ steps: [StepResult]) -> LatencySummary? {
        if let latency = summary?.latencyMs { return latency }
        if let merged = summary?.histogram.flatMap({ LatencyHistogram(encoded: $0) })?.summary { return merged }
        if let summary = LatencyHistogram.merging(steps.compactMap(\.histogram))?.summary { return summary }
        let each = steps.compactMap(\.latencyMs)
        guard !each.isEmpty else { return nil }
        func mid(_ key: KeyPath<LatencySummary, Double>) -> Double { Median.of(each.map { $0[keyPath: key] }) ?? 0 }
        return LatencySummary(
            p50: mid(\.p50), p90: mid(\.p90), p95: mid(\.p95), p99: mid(\.p99), p999: mid(\.p999), max: each.map(\.max).max() ?? 0,
            mean: mid(\.mean))
    }

    static func throughput(_ steps: [StepResult]) -> Double? {
        let seconds = steps.reduce(0) { $0 + $1.durationMs } / 1000
        return seconds > 0 ? Double(steps.reduce(0) { $0 + $1.batches }) / seconds : nil
    }

    static func errorRate(_ steps: [StepResult]) -> Double? {
        let batches = steps.reduce(0) { $0 + $1.batches }
        guard batches > 0 else { return nil }
        return Double(steps.reduce(0) { $0 + $1.errors.values.reduce(0, +) }) / Double(batches)
    }
}
