import RehearseHistogram
import RehearseResults
import RehearseVerdict

/// A lane's per-second timeline, built while the lane runs: the current second in
/// a histogram, each finished second in compact form (a few hundred bytes to a few
/// KB, whatever the rate). A foreground workload keeps nothing per transaction, so
/// an hour at tens of thousands of transactions a second costs megabytes, not
/// gigabytes. Percentiles per second have the histogram's precision (3 significant
/// digits); the count, the errors and the maximum are exact.
///
/// A background workload also keeps, for the impact of the steps beside it, whole
/// the transactions of the seconds a step began or ended in (`StepBoundaries`): a
/// step's impact takes the seconds wholly inside its window from the histograms and
/// cuts the two at its edges transaction by transaction. Whether a second is a boundary is decided a
/// second after it closed, so a step's start or end published a moment after its
/// timestamp was taken is still seen; a lane's last two seconds are kept whole.
struct TimelineRecorder: Sendable {
    private(set) var seconds: [TimelineSecond] = []
    /// Transactions due in a second already closed (a pipelined retry can come back
    /// late): rare, and kept whole.
    private(set) var late: [TransactionSample] = []
    /// A background workload's transactions of the seconds a step began or ended in.
    private(set) var kept: [TransactionSample] = []
    private let boundaries: StepBoundaries?
    private var current = -1
    private var batches = 0
    private var errors = 0
    private var maxMicros: UInt32 = 0
    private var histogram = LatencyHistogram()
    /// A background workload's transactions of the current second, and of the second
    /// closed before it, until it is known whether a step cut through them.
    private var pending: [TransactionSample] = []
    private var previous: [TransactionSample] = []
    private var previousSecond = -1

    init(boundaries: StepBoundaries? = nil) {
        self.boundaries = boundaries
    }

    /// `micros` is the latency unclamped (the sample keeps up to 35 minutes, the
    /// histogram up to an hour).
    @inline(__always)
    mutating func record(_ sample: TransactionSample, micros: UInt64) {
        let second = Int(sample.dueMicros / 1_000_000)
        if second != current {
            if second < current {
                late.append(sample)
                return
            }
            close()
            current = second
        }
        batches += 1
        if sample.failed { errors += 1 }
        histogram.record(micros: micros)
        maxMicros = max(maxMicros, sample.latencyMicros)
        if boundaries != nil { pending.append(sample) }
    }

    /// Puts the current second into compact form.
    mutating func close() {
        guard batches > 0 else { return }
        seconds.append(
            TimelineSecond(
                second: current, batches: batches, errors: errors, maxMicros: maxMicros, latencies: histogram.pairs()))
        histogram.reset()
        batches = 0
        errors = 0
        maxMicros = 0
        if boundaries != nil {
            settlePrevious()
            swap(&previous, &pending)
            previousSecond = current
        }
    }

    /// Closes the current second and keeps the last two whole: a lane that ended by
    /// itself (its duration over, its session gone) can end before the step beside it
    /// publishes its end.
    mutating func finish() {
        kept.append(contentsOf: previous)
        previous.removeAll()
        close()
        kept.append(contentsOf: previous)
        previous.removeAll()
    }

    /// Keeps the previous second's transactions if a step began or ended in it.
    private mutating func settlePrevious() {
        guard let boundaries, !previous.isEmpty else { return }
        if boundaries.contains(second: previousSecond) { kept.append(contentsOf: previous) }
        previous.removeAll(keepingCapacity: true)
    }
}

extension WorkloadMeasurement {
    /// Per-second buckets of the transactions due in each second since the repetition
    /// began, merged over the lanes second by second (one histogram at a time).
    /// `histograms`: each second's histogram too (a target over a window reads them in `merge`).
    func timeline(histograms: Bool = false) -> [TimelineBucket] {
        var result: [TimelineBucket] = []
        forEachSecond { second, histogram in
            let ok = histogram.count > 0
            result.append(
                TimelineBucket(
                    second: second.second, batches: second.batches, errors: second.errors,
                    p50: ok ? histogram.millis(atPercentile: 50) : 0, p99: ok ? histogram.millis(atPercentile: 99) : 0,
                    max: Double(second.maxMicros) / 1000))
            if histograms && ok { result[result.count - 1].histogram = histogram.encoded() }
        }
        return result
    }

    /// The same seconds in compact form, for targets judged over a window of them.
    func mergedSeconds() -> [TimelineSecond] {
        var result: [TimelineSecond] = []
        forEachSecond { second, histogram in
            var merged = second
            merged.latencies = histogram.pairs()
            result.append(merged)
        }
        return result
    }

    /// Each second, in order, merged over the lanes, with the transactions that came back
    /// late folded in: its counts (`latencies` left empty) and its histogram.
    private func forEachSecond(_ body: (TimelineSecond, LatencyHistogram) -> Void) {
        let parts = seconds.sorted { $0.second < $1.second }
        let stragglers = late.sorted { $0.dueMicros < $1.dueMicros }
        var histogram = LatencyHistogram()
        var i = 0
        var j = 0
        while i < parts.count || j < stragglers.count {
            let second = min(
                i < parts.count ? parts[i].second : .max,
                j < stragglers.count ? Int(stragglers[j].dueMicros / 1_000_000) : .max)
            var merged = TimelineSecond(second: second, batches: 0, errors: 0, maxMicros: 0, latencies: [])
            while i < parts.count && parts[i].second == second {
                merged.batches += parts[i].batches
                merged.errors += parts[i].errors
                merged.maxMicros = max(merged.maxMicros, parts[i].maxMicros)
                histogram.add(pairs: parts[i].latencies)
                i += 1
            }
            while j < stragglers.count && Int(stragglers[j].dueMicros / 1_000_000) == second {
                let s = stragglers[j]
                merged.batches += 1
                if s.failed { merged.errors += 1 }
                histogram.record(micros: UInt64(s.latencyMicros))
                merged.maxMicros = max(merged.maxMicros, s.latencyMicros)
                j += 1
            }
            body(merged, histogram)
            if histogram.count > 0 { histogram.reset() }
        }
    }
}
