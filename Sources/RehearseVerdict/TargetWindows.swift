package import RehearseHistogram
package import RehearseResults
package import RehearseScenario

/// Targets judged over a window (`p99 over 10s < 500ms`): the metric in every window of
/// that many seconds of a step's per-second timeline, sliding by one second within each
/// repetition; a step shorter than the window is one window. The target holds when its
/// worst window does, so a two-second stall that vanishes in a whole-step p99 shows.
package enum TargetWindows {
    package struct Worst: Sendable, Equatable {
        package var value: Double
        package var window: TargetWindow
        /// Which repetition's timeline (0-based) the worst window is in.
        package var repetition: Int

        package init(value: Double, window: TargetWindow, repetition: Int) {
            self.value = value
            self.window = window
            self.repetition = repetition
        }
    }

    /// The worst window of `metric` over `timelines` (each repetition's seconds, in
    /// order): the largest value when the target is an upper bound, the smallest when
    /// it is a lower one. Nil when no window has a measurement (no transaction at all,
    /// for a latency). `durationsMs` are the repetitions' step durations: a step shorter
    /// than the window has its throughput over its own duration.
    package static func worst(
        _ metric: Target.Metric, over window: Duration, upperBound: Bool, timelines: [[TimelineSecond]],
        durationsMs: [Double]
    ) -> Worst? {
        let width = max(1, Int((Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18).rounded(.up)))
        var worst: Worst?
        for (repetition, seconds) in timelines.enumerated() {
            guard let first = seconds.first?.second, let last = seconds.last?.second else { continue }
            let bySecond = Dictionary(seconds.map { ($0.second, $0) }, uniquingKeysWith: { a, _ in a })
            let span = last - first + 1
            // The step's own length when it is shorter than the window; whole seconds otherwise.
            let shortStepSeconds = repetition < durationsMs.count ? durationsMs[repetition] / 1000 : Double(span)
            for start in first...max(first, last - width + 1) {
                let end = span <= width ? last + 1 : start + width
                let lengthSeconds = span <= width ? shortStepSeconds : Double(width)
                guard
                    let value = self.value(
                        metric, of: (start..<end).compactMap { bySecond[$0] }, lengthSeconds: lengthSeconds)
                else { continue }
                if worst.map({ upperBound ? value > $0.value : value < $0.value }) ?? true {
                    worst = Worst(
                        value: value, window: TargetWindow(fromSecond: start, toSecond: end), repetition: repetition)
                }
            }
        }
        return worst
    }

    /// The metric over the seconds of one window.
    package static func value(_ metric: Target.Metric, of seconds: [TimelineSecond], lengthSeconds: Double) -> Double? {
        let batches = seconds.reduce(0) { $0 + $1.batches }
        switch metric {
        case .errorRate:
            return batches > 0 ? Double(seconds.reduce(0) { $0 + $1.errors }) / Double(batches) : 0
        case .throughput:
            return lengthSeconds > 0 ? Double(batches) / lengthSeconds : nil
        case .max:
            return batches > 0 ? Double(seconds.map(\.maxMicros).max() ?? 0) / 1000 : nil
        case .p50, .p90, .p95, .p99, .p999:
            guard batches > 0 else { return nil }
            var histogram = LatencyHistogram()
            for second in seconds { histogram.add(pairs: second.latencies) }
            var metrics = StepMetrics()
            metrics.latency = histogram
            return metrics.value(of: metric)
        default:
            return nil
        }
    }
}
