import PostgresClient

/// One executed transaction, kept so that the timeline and each step's
/// impact can be cut from the same data exactly. Eight bytes: a long soak at
/// tens of thousands of transactions a second keeps every one of them.
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
    var latency = LatencyHistogram()
    var service = LatencyHistogram()
    var lag = LatencyHistogram()
    var perTransaction: [LatencyHistogram]
    var perTransactionErrors: [[String: Int]]
    var errors: [String: Int] = [:]
    var samples: [TransactionSample] = []
    var rows = 0
    let origin: UInt64
    /// Open model: service time and lag differ from the response time and are recorded too.
    let open: Bool

    init(transactionCount: Int, origin: UInt64, open: Bool = true) {
        perTransaction = Array(repeating: LatencyHistogram(), count: transactionCount)
        perTransactionErrors = Array(repeating: [:], count: transactionCount)
        self.origin = origin
        self.open = open
        samples.reserveCapacity(1 << 14)
    }

    @inline(__always)
    mutating func record(tx: Int, due: UInt64, sent: UInt64, end: UInt64, rows: Int, error: PostgresError?) {
        let response = end &- due
        let micros = UInt32(clamping: (response + 500) / 1000)
        samples.append(
            TransactionSample(
                dueMicros: Int64(bitPattern: due &- origin) / 1000, latencyMicros: micros, failed: error != nil))
        if let error {
            let state = error.sqlstate ?? "client"
            errors[state, default: 0] += 1
            perTransactionErrors[tx][state, default: 0] += 1
            return
        }
        self.rows += rows
        latency.record(nanoseconds: response)
        perTransaction[tx].record(nanoseconds: response)
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
    var samples: [TransactionSample] = []
    var rows = 0
    var open: Bool

    init(transactionNames: [String], open: Bool) {
        self.transactionNames = transactionNames
        perTransaction = Array(repeating: LatencyHistogram(), count: transactionNames.count)
        perTransactionErrors = Array(repeating: [:], count: transactionNames.count)
        self.open = open
    }

    mutating func merge(_ lane: LaneResult) {
        latency.merge(lane.latency)
        service.merge(lane.service)
        lag.merge(lane.lag)
        for i in perTransaction.indices {
            perTransaction[i].merge(lane.perTransaction[i])
            perTransactionErrors[i].merge(lane.perTransactionErrors[i], uniquingKeysWith: +)
        }
        errors.merge(lane.errors, uniquingKeysWith: +)
        samples.append(contentsOf: lane.samples)
        rows += lane.rows
    }

    var transactions: [String: TransactionResult] {
        var result: [String: TransactionResult] = [:]
        for (i, name) in transactionNames.enumerated() {
            let errs = perTransactionErrors[i]
            result[name] = TransactionResult(
                batches: Int(perTransaction[i].count) + errs.values.reduce(0, +), errors: errs,
                latencyMs: perTransaction[i].summary)
        }
        return result
    }

    /// Per-second buckets of the transactions due in each second since the repetition began.
    func timeline() -> [TimelineBucket] {
        guard !samples.isEmpty else { return [] }
        // Counting sort by second, then exact percentiles from each second's sorted
        // latencies: linear in the samples and 4 bytes each. (Building a histogram per
        // second cost a copy of a 190 KB histogram per sample: 86% of a run's instructions.)
        var first = Int.max
        var last = 0
        for s in samples {
            let second = Int(max(0, s.dueMicros) / 1_000_000)
            first = min(first, second)
            last = max(last, second)
        }
        var batches = [Int](repeating: 0, count: last - first + 1)
        var errors = [Int](repeating: 0, count: last - first + 1)
        var offsets = [Int](repeating: 0, count: last - first + 2)
        for s in samples {
            let i = Int(max(0, s.dueMicros) / 1_000_000) - first
            batches[i] += 1
            if s.failed { errors[i] += 1 } else { offsets[i + 1] += 1 }
        }
        for i in 1..<offsets.count { offsets[i] += offsets[i - 1] }
        var latencies = [UInt32](repeating: 0, count: offsets[offsets.count - 1])
        var fill = offsets
        for s in samples where !s.failed {
            let i = Int(max(0, s.dueMicros) / 1_000_000) - first
            latencies[fill[i]] = s.latencyMicros
            fill[i] += 1
        }
        var result: [TimelineBucket] = []
        for i in batches.indices where batches[i] > 0 {
            let range = offsets[i]..<offsets[i + 1]
            latencies[range].sort()
            func millis(_ p: Double) -> Double {
                guard !range.isEmpty else { return 0 }
                let rank = max(Int((p / 100 * Double(range.count)).rounded(.up)), 1)
                return Double(latencies[range.lowerBound + rank - 1]) / 1000
            }
            result.append(
                TimelineBucket(
                    second: first + i, batches: batches[i], errors: errors[i], p50: millis(50), p99: millis(99),
                    max: millis(100)))
        }
        return result
    }

    /// The transactions due while a step ran (µs since the repetition began).
    func impact(from start: Int64, to end: Int64, step: String) -> (Impact, LatencyHistogram, Int) {
        var h = LatencyHistogram()
        var batches = 0
        var errors = 0
        // Due times are kept on a 16 µs grid; the window's bounds go onto the same grid,
        // so a transaction due within the step's first 16 µs is not left out.
        let (first, last) = (TransactionSample.onGrid(start), TransactionSample.onGrid(end))
        // Failed transactions count too: the application waited that long, then got an error.
        for s in samples where s.dueMicros >= first && s.dueMicros < last {
            batches += 1
            if s.failed { errors += 1 }
            h.record(micros: UInt64(s.latencyMicros))
        }
        return (Impact(step: step, batches: batches, errors: errors, latencyMs: h.summary), h, batches)
    }
}
