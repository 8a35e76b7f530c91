package import RehearseHistogram
package import RehearseResults

extension StepMetrics {
    /// A step's metrics rebuilt from its result in a results document, as the engine made
    /// them when it ran: histograms decoded (HdrHistogram's encoding keeps every bucket),
    /// counts, the duration and rows of its repetition, its transactions, and its timeline
    /// when a target over a window reads it.
    package init(_ step: StepResult, timeline: Bool) {
        self.init()
        latency = Self.histogram(step.histogram)
        durationsMs = [step.durationMs]
        batches = step.batches
        errors = step.errors.values.reduce(0, +)
        rows = [step.rows]
        serverMemoryPeak = step.serverMemoryPeak
        clientMemoryPeak = step.clientMemoryPeak
        for (name, transaction) in step.transactions ?? [:] {
            var m = StepMetrics()
            m.latency = Self.histogram(transaction.histogram)
            m.batches = transaction.batches
            m.errors = transaction.errors.values.reduce(0, +)
            m.durationsMs = durationsMs
            transactions[name] = m
        }
        if timeline, let buckets = step.timeline {
            timelines = [
                buckets.map { bucket in
                    TimelineSecond(
                        second: bucket.second, batches: bucket.batches, errors: bucket.errors,
                        maxMicros: UInt32(clamping: Int((bucket.max * 1000).rounded())),
                        latencies: Self.histogram(bucket.histogram).pairs())
                }
            ]
        }
    }

    /// What a step did to the background workload beside it (`<step>.impact` targets).
    package static func impact(of step: StepResult) -> StepMetrics? {
        guard let impact = step.impact else { return nil }
        var m = StepMetrics()
        m.latency = histogram(impact.histogram)
        m.batches = impact.batches
        m.errors = impact.errors
        m.durationsMs = [step.durationMs]
        return m
    }

    /// The steps' metrics of one repetition, and their impacts, keyed by step name.
    package static func of(
        _ repetition: RepetitionResult, windowed: Set<String>
    ) -> (metrics: [String: StepMetrics], impacts: [String: StepMetrics]) {
        var metrics: [String: StepMetrics] = [:]
        var impacts: [String: StepMetrics] = [:]
        for step in repetition.steps {
            metrics[step.name] = StepMetrics(step, timeline: windowed.contains(step.name))
            if let impact = impact(of: step) { impacts[step.name] = impact }
        }
        return (metrics, impacts)
    }

    static func histogram(_ encoded: String?) -> LatencyHistogram {
        encoded.flatMap { LatencyHistogram(encoded: $0) } ?? LatencyHistogram()
    }
}
