import PostgresClient

/// One executed transaction, kept so that the timeline and each step's
/// impact can be cut from the same data exactly.
struct TransactionSample: Sendable {
    /// When the transaction was due (scheduled, or sent in the closed model), µs since the repetition began.
    var dueMicros: Int64
    /// Response time: from due to done.
    var latencyMicros: UInt32
    var failed: Bool
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

    init(transactionCount: Int, origin: UInt64) {
        perTransaction = Array(repeating: LatencyHistogram(), count: transactionCount)
        perTransactionErrors = Array(repeating: [:], count: transactionCount)
        self.origin = origin
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
        var buckets: [Int: (LatencyHistogram, Int, Int)] = [:]
        for s in samples {
            let second = Int(max(0, s.dueMicros) / 1_000_000)
            var entry = buckets[second] ?? (LatencyHistogram(), 0, 0)
            entry.1 += 1
            if s.failed { entry.2 += 1 } else { entry.0.record(micros: UInt64(s.latencyMicros)) }
            buckets[second] = entry
        }
        return buckets.keys.sorted().map { second in
            let (h, batches, errors) = buckets[second]!
            return TimelineBucket(
                second: second, batches: batches, errors: errors, p50: h.millis(atPercentile: 50),
                p99: h.millis(atPercentile: 99), max: h.maxMillis)
        }
    }

    /// The transactions due while a step ran (µs since the repetition began).
    func impact(from start: Int64, to end: Int64, step: String) -> (Impact, LatencyHistogram, Int) {
        var h = LatencyHistogram()
        var batches = 0
        var errors = 0
        // Failed transactions count too: the application waited that long, then got an error.
        for s in samples where s.dueMicros >= start && s.dueMicros < end {
            batches += 1
            if s.failed { errors += 1 }
            h.record(micros: UInt64(s.latencyMicros))
        }
        return (Impact(step: step, batches: batches, errors: errors, latencyMs: h.summary), h, batches)
    }
}
