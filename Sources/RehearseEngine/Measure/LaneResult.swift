import PostgresClient
import RehearseHistogram
import RehearseResults
import RehearseVerdict

/// One executed transaction, kept whole where the compact timeline is not enough:
/// by a background workload for the seconds a step's impact window cuts through, and
/// by any lane for a transaction that comes back after its second of the timeline was
/// closed. Eight bytes.
struct TransactionSample: Sendable {
    /// When the transaction was due, in 16 µs units since the repetition began
    /// (19 hours of range; a step's window is cut on the same 16 µs grid).
    private var due16: UInt32
    /// The response time in µs (from due to done; up to 35 minutes), and in the
    /// top bit whether the transaction failed.
    private var latencyAndFailure: UInt32

    init(dueMicros: Int64, latencyMicros: UInt32, failed: Bool) {
        due16 = UInt32(clamping: max(dueMicros, 0) / 16)
        latencyAndFailure = min(latencyMicros, 0x7FFF_FFFF) | (failed ? 0x8000_0000 : 0)
    }

    /// When the transaction was due, µs since the repetition began.
    var dueMicros: Int64 { Int64(due16) * 16 }
    /// A time (µs since the repetition began) on the grid of `dueMicros`.
    static func onGrid(_ micros: Int64) -> Int64 { max(micros, 0) / 16 * 16 }
    /// Response time: from due to done.
    var latencyMicros: UInt32 { latencyAndFailure & 0x7FFF_FFFF }
    var failed: Bool { latencyAndFailure & 0x8000_0000 != 0 }
}

/// What one workload connection measured.
struct LaneResult: Sendable {
    /// The per-second timeline (with a background workload's kept transactions).
    var timeline: TimelineRecorder
    var service = LatencyHistogram()
    var lag = LatencyHistogram()
    var perTransaction: [LatencyHistogram]
    var perTransactionErrors: [[String: Int]]
    var errors: [String: Int] = [:]
    var rows = 0
    /// The error that ended the lane is already counted: the transactions it failed are recorded.
    var endingErrorRecorded = false
    let origin: UInt64
    /// Open model: service time and lag differ from the response time and are recorded too.
    let open: Bool

    /// `boundaries`: a background workload's, for the impact of each step beside it
    /// (see `TimelineRecorder`); nil for a foreground one.
    init(transactionCount: Int, origin: UInt64, open: Bool = true, boundaries: StepBoundaries? = nil) {
        timeline = TimelineRecorder(boundaries: boundaries)
        perTransaction = Array(repeating: LatencyHistogram(), count: transactionCount)
        perTransactionErrors = Array(repeating: [:], count: transactionCount)
        self.origin = origin
        self.open = open
    }

    @inline(__always)
    mutating func record(tx: Int, due: UInt64, sent: UInt64, end: UInt64, rows: Int, error: PostgresError?) {
        let response = end &- due
        let micros = (response + 500) / 1000
        let sample = TransactionSample(
            dueMicros: Int64(bitPattern: due &- origin) / 1000, latencyMicros: UInt32(clamping: micros),
            failed: error != nil)
        timeline.record(sample, micros: micros)
        // Every executed transaction is a batch with a latency, a failed one too: the
        // application waited that long for its error (a lock_timeout after 300 ms is a
        // 300 ms stall, and shows in the percentiles).
        perTransaction[tx].record(micros: micros)
        if let error {
            let state = error.sqlstate ?? "client"
            errors[state, default: 0] += 1
            perTransactionErrors[tx][state, default: 0] += 1
            return
        }
        self.rows += rows
        // In the closed model a transaction is due when it is sent: service time is the
        // response time and lag is zero, and neither is reported.
        guard open else { return }
        service.record(nanoseconds: end &- sent)
        if sent > due { lag.record(nanoseconds: sent - due) } else { lag.record(micros: 0) }
    }
}

/// A whole workload's measurements, merged from its lanes.
struct WorkloadMeasurement: Sendable {
    var latency = LatencyHistogram()
    var service = LatencyHistogram()
    var lag = LatencyHistogram()
    var perTransaction: [LatencyHistogram]
    var perTransactionErrors: [[String: Int]]
    var transactionNames: [String]
    var errors: [String: Int] = [:]
    /// The lanes' seconds of the timeline, and their transactions that came back late.
    var seconds: [TimelineSecond] = []
    var late: [TransactionSample] = []
    /// A background workload's transactions of the seconds a step began or ended in
    /// (see `TimelineRecorder`).
    var kept: [TransactionSample] = []
    var rows = 0
    var open: Bool

    init(transactionNames: [String], open: Bool) {
        self.transactionNames = transactionNames
        perTransaction = Array(repeating: LatencyHistogram(), count: transactionNames.count)
        perTransactionErrors = Array(repeating: [:], count: transactionNames.count)
        self.open = open
    }

    mutating func merge(_ lane: LaneResult) {
        var timeline = lane.timeline
        timeline.finish()
        seconds.append(contentsOf: timeline.seconds)
        late.append(contentsOf: timeline.late)
        kept.append(contentsOf: timeline.kept)
        service.merge(lane.service)
        lag.merge(lane.lag)
        for i in perTransaction.indices {
            // Every executed transaction is in its transaction's histogram.
            latency.merge(lane.perTransaction[i])
            perTransaction[i].merge(lane.perTransaction[i])
            perTransactionErrors[i].merge(lane.perTransactionErrors[i], uniquingKeysWith: +)
        }
        errors.merge(lane.errors, uniquingKeysWith: +)
        rows += lane.rows
    }

    var transactions: [String: TransactionResult] {
        var result: [String: TransactionResult] = [:]
        for (i, name) in transactionNames.enumerated() {
            let errs = perTransactionErrors[i]
            result[name] = TransactionResult(
                batches: Int(perTransaction[i].count), errors: errs,
                latencyMs: perTransaction[i].summary)
            if perTransaction[i].count > 0 { result[name]?.histogram = perTransaction[i].encoded() }
        }
        return result
    }

    /// The transactions due while a step ran (µs since the repetition began): the
    /// seconds wholly inside the window from the timeline, the rest one by one, failed
    /// transactions too.
    /// The histogram is the one recording every transaction would give (the
    /// timeline's pairs land in the same buckets), and the count and errors are exact.
    func impact(from start: Int64, to end: Int64, step: String) -> (Impact, LatencyHistogram, Int) {
        var h = LatencyHistogram()
        var batches = 0
        var errors = 0
        // Due times are kept on a 16 µs grid; the window's bounds go onto the same grid,
        // so a transaction due within the step's first 16 µs is not left out.
        let (first, last) = (TransactionSample.onGrid(start), TransactionSample.onGrid(end))
        func whole(_ second: Int) -> Bool { Int64(second) * 1_000_000 >= first && Int64(second + 1) * 1_000_000 <= last }
        for part in seconds where whole(part.second) {
            batches += part.batches
            errors += part.errors
            h.add(pairs: part.latencies)
        }
        func count(_ s: TransactionSample) {
            batches += 1
            if s.failed { errors += 1 }
            h.record(micros: UInt64(s.latencyMicros))
        }
        for s in kept where s.dueMicros >= first && s.dueMicros < last && !whole(Int(s.dueMicros / 1_000_000)) {
            count(s)
        }
        // Late transactions are in no second's histograms.
        for s in late where s.dueMicros >= first && s.dueMicros < last { count(s) }
        var impact = Impact(step: step, batches: batches, errors: errors, latencyMs: h.summary)
        if h.count > 0 { impact.histogram = h.encoded() }
        return (impact, h, batches)
    }
}
