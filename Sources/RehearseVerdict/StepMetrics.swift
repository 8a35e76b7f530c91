package import RehearseHistogram
package import RehearseResults
package import RehearseScenario
import RehearseSupport

/// The measurements of one step that targets judge, for one repetition or merged over all.
package struct StepMetrics: Sendable {
    package var latency = LatencyHistogram()
    package var durationsMs: [Double] = []
    package var batches = 0
    package var errors = 0
    package var rows: [Int] = []
    package var serverMemoryPeak: Int64?
    package var clientMemoryPeak: Int64?
    /// A workload's transactions, by name, for `<step>.<transaction>` targets.
    package var transactions: [String: StepMetrics] = [:]
    /// Each repetition's per-second timeline, for `over` targets (kept only when one asks).
    package var timelines: [[TimelineSecond]] = []

    package init() {}

    package mutating func merge(_ other: StepMetrics) {
        transactions.merge(other.transactions) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        timelines += other.timelines
        latency.merge(other.latency)
        durationsMs += other.durationsMs
        batches += other.batches
        errors += other.errors
        rows += other.rows
        serverMemoryPeak = [serverMemoryPeak, other.serverMemoryPeak].compactMap { $0 }.max()
        clientMemoryPeak = [clientMemoryPeak, other.clientMemoryPeak].compactMap { $0 }.max()
    }

    package var medianDurationMs: Double { Median.of(durationsMs) ?? 0 }

    package var errorRate: Double { batches > 0 ? Double(errors) / Double(batches) : 0 }

    package func value(of metric: Target.Metric) -> Double? {
        switch metric {
        case .p50: latency.count > 0 ? latency.millis(atPercentile: 50) : nil
        case .p90: latency.count > 0 ? latency.millis(atPercentile: 90) : nil
        case .p95: latency.count > 0 ? latency.millis(atPercentile: 95) : nil
        case .p99: latency.count > 0 ? latency.millis(atPercentile: 99) : nil
        case .p999: latency.count > 0 ? latency.millis(atPercentile: 99.9) : nil
        case .max: latency.count > 0 ? latency.maxMillis : nil
        case .mean: latency.count > 0 ? latency.meanMillis : nil
        case .duration: medianDurationMs
        case .errorRate: errorRate
        // Merged over the repetitions, as the format says: errors and batches add up. A
        // duration or a row count does not (each repetition does the same work), so those
        // are the repetitions' median.
        case .errors: Double(errors)
        case .batches: Double(batches)
        case .throughput:
            durationsMs.reduce(0, +) > 0 ? Double(batches) / (durationsMs.reduce(0, +) / 1000) : nil
        case .rows: Median.of(rows.map(Double.init))
        case .serverMemoryPeak: serverMemoryPeak.map(Double.init)
        case .clientMemoryPeak: clientMemoryPeak.map(Double.init)
        }
    }
}

/// Judges targets against step metrics.
package enum TargetEvaluator {
    package static func evaluate(
        _ groups: [TargetGroup], metrics: [String: StepMetrics], impacts: [String: StepMetrics]
    )
        -> [TargetResult]
    {
        var results: [TargetResult] = []
        for group in groups {
            let step = group.impact ? impacts[group.step] : metrics[group.step]
            let source = group.transaction.map { step?.transactions[$0] } ?? step
            // A `predicted.<metric>` target is the sweep's to judge, on its prediction.
            for target in group.targets where target.predicted == nil {
                var actual = source?.value(of: target.metric)
                var worst: TargetWindows.Worst?
                if let window = target.window, let source {
                    worst = TargetWindows.worst(
                        target.metric, over: window, upperBound: target.op == .lt || target.op == .le,
                        timelines: source.timelines, durationsMs: source.durationsMs)
                    actual = worst?.value
                }
                let passed = actual.map { target.op.holds($0, target.value) } ?? false
                var result = TargetResult(
                    step: group.label, target: target.text, actual: actual.map { ($0 * 1000).rounded() / 1000 }, passed: passed)
                result.window = worst?.window
                if source?.timelines.count ?? 0 > 1 { result.window?.repetition = worst.map { $0.repetition + 1 } }
                results.append(result)
            }
        }
        return results
    }
}
