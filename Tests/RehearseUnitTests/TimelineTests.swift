import PostgresClient
import Testing
@testable import RehearseEngine
@testable import RehearseHistogram
@testable import RehearseResults


/// The per-second timeline and the per-step impact, cut from the timeline and the
/// kept transactions, against a brute-force computation over the same transactions.
@Suite("Workload timeline and impact")
struct TimelineTests {
    static let serializationFailure = PostgresError(kind: .server, sqlstate: "40001", message: "could not serialize access")

    /// Random transactions over ten seconds on three lanes, some failed: each lane's in
    /// the order they were due, then a few that come back late (as a pipelined retry can).
    /// With `boundaries`, the lanes are a background workload's.
    func measurement(boundaries: StepBoundaries? = nil) -> (WorkloadMeasurement, [(due: Int64, latency: UInt32, failed: Bool)]) {
        var random = FastRandom(seed: 11)
        var all: [(due: Int64, latency: UInt32, failed: Bool)] = []
        var merged = WorkloadMeasurement(transactionNames: ["t"], open: true)
        let origin: UInt64 = 5_000_000_000
        for _ in 0..<3 {
            var lane = LaneResult(transactionCount: 1, origin: origin, open: true, boundaries: boundaries)
            let inOrder = (0..<4000).map { _ in Int64(random.next(in: 0, 9_999_999)) }.sorted()
            let late = (0..<50).map { _ in Int64(random.next(in: 0, 8_999_999)) }
            for due in inOrder + late {
                let dueMicros = due / 16 * 16
                // Latencies from 1 µs to 5 s, most of them short.
                let latency = UInt32(random.next(in: 1, 50_000) * (random.next() % 50 == 0 ? 100 : 1))
                let failed = random.next() % 10 == 0
                let due = origin + UInt64(dueMicros) * 1000
                lane.record(
                    tx: 0, due: due, sent: due, end: due + UInt64(latency) * 1000, rows: 1,
                    error: failed ? Self.serializationFailure : nil)
                all.append((dueMicros, latency, failed))
            }
            merged.merge(lane)
        }
        return (merged, all)
    }

    @Test func samplesAreEightBytes() {
        #expect(MemoryLayout<TransactionSample>.stride == 8)
        let s = TransactionSample(dueMicros: 3_600_000_000 + 48, latencyMicros: 1_234_567, failed: true)
        #expect(s.dueMicros == 3_600_000_048)
        #expect(s.latencyMicros == 1_234_567)
        #expect(s.failed)
        #expect(!TransactionSample(dueMicros: 0, latencyMicros: 0x7FFF_FFFF, failed: false).failed)
        // Past its 35 minutes the latency saturates; it never spills into the failure bit.
        let long = TransactionSample(dueMicros: 0, latencyMicros: 0x9000_0000, failed: false)
        #expect(!long.failed)
        #expect(long.latencyMicros == 0x7FFF_FFFF)
        // Past 19 hours the due time saturates, and stays non-negative.
        let late = TransactionSample(dueMicros: 80 * 3_600_000_000, latencyMicros: 1, failed: false)
        #expect(late.dueMicros == Int64(UInt32.max) * 16)
        #expect(TransactionSample(dueMicros: -5, latencyMicros: 1, failed: false).dueMicros == 0)
    }

    /// A step's window on the 16 µs grid of the due times: a transaction due a few µs
    /// after the step began is in it, one due a few µs after it ended is not.
    @Test func impactWindowsFollowTheSampleGrid() {
        let boundaries = StepBoundaries()
        boundaries.mark(nanos: 1_000_001_000)
        boundaries.mark(nanos: 2_000_001_000)
        var lane = LaneResult(transactionCount: 1, origin: 0, open: true, boundaries: boundaries)
        for dueMicros: UInt64 in [1_000_003, 1_000_020, 1_999_990, 2_000_005] {
            lane.record(tx: 0, due: dueMicros * 1000, sent: dueMicros * 1000, end: dueMicros * 1000 + 1_000_000, rows: 1, error: nil)
        }
        var merged = WorkloadMeasurement(transactionNames: ["t"], open: true)
        merged.merge(lane)
        let (impact, _, _) = merged.impact(from: 1_000_001, to: 2_000_001, step: "s")
        #expect(impact.batches == 3)
    }

    /// Counts, errors and maxima exact; p50 and p99 at the histogram's precision (the
    /// exact value or at most one part in 1024 above it). Failed transactions are in
    /// the latencies, as the step's and each transaction's are.
    @Test(arguments: [true, false])
    func timelineMatchesBruteForce(background: Bool) {
        let boundaries = StepBoundaries()
        boundaries.mark(nanos: 3_500_000_000)
        let (measurement, all) = measurement(boundaries: background ? boundaries : nil)
        let timeline = measurement.timeline()
        #expect(timeline.map(\.second) == Array(0..<10))
        #expect(timeline.map(\.batches).reduce(0, +) == all.count)
        for bucket in timeline {
            let inSecond = all.filter { Int($0.due / 1_000_000) == bucket.second }
            // Failed transactions count in the latencies: the application waited for them too.
            let ok = inSecond.map(\.latency).sorted()
            func percentile(_ p: Double) -> Double {
                Double(ok[max(Int((p / 100 * Double(ok.count)).rounded(.up)), 1) - 1]) / 1000
            }
            #expect(bucket.batches == inSecond.count)
            #expect(bucket.errors == inSecond.filter(\.failed).count)
            for (value, p) in [(bucket.p50, 50.0), (bucket.p99, 99.0)] {
                let exact = percentile(p)
                #expect(value >= exact && value <= exact * (1 + 1.0 / 1024) + 0.001, "p\(p) \(value) vs \(exact)")
            }
            #expect(bucket.max == Double(ok.last!) / 1000)
        }
        #expect(measurement.latency.count == UInt64(all.count))
        #expect(measurement.transactions["t"]?.batches == all.count)
        #expect(measurement.transactions["t"]?.errors["40001"] == all.filter(\.failed).count)
    }

    /// A foreground lane keeps a few KB a second, whatever its rate: here 200,000
    /// transactions a second for five seconds, against 8 bytes each if it kept them.
    @Test func aForegroundTimelineGrowsWithSecondsNotTransactions() {
        var lane = LaneResult(transactionCount: 1, origin: 0, open: false)
        var random = FastRandom(seed: 3)
        for k in 0..<1_000_000 {
            let due = UInt64(k) * 5_000  // ns: 200,000 a second
            lane.record(tx: 0, due: due, sent: due, end: due + UInt64(random.next(in: 20_000, 900_000)), rows: 1, error: nil)
        }
        var timeline = lane.timeline
        timeline.finish()
        #expect(timeline.kept.isEmpty)
        #expect(timeline.seconds.count == 5)
        let bytes = timeline.seconds.map(\.latencies.count).reduce(0, +)
        #expect(bytes < 5 * 8_192, "\(bytes) bytes for five seconds")
        var merged = WorkloadMeasurement(transactionNames: ["t"], open: false)
        merged.merge(lane)
        #expect(merged.timeline().map(\.batches) == [200_000, 200_000, 200_000, 200_000, 200_000])
        #expect(merged.latency.count == 1_000_000)
    }

    /// Step windows of every shape (across seconds, on whole seconds, inside one second,
    /// the whole run): the impact counts every transaction due in the window, failed
    /// ones too (the application waited for them), and its histogram is the one that
    /// recording each of them would give.
    @Test func impactCountsEveryTransactionDueInTheWindow() throws {
        let windows: [(Int64, Int64)] = [
            (2_500_000, 4_000_000), (3_000_000, 5_000_000), (7_250_003, 7_750_011), (4_000_000, 4_500_000),
            (0, 10_000_000), (1_999_999, 9_000_017),
        ]
        let boundaries = StepBoundaries()
        for (start, end) in windows {
            boundaries.mark(nanos: UInt64(start) * 1000)
            boundaries.mark(nanos: UInt64(end) * 1000)
        }
        let (measurement, all) = measurement(boundaries: boundaries)
        // Kept whole: the transactions of the seconds a window cuts through, and each lane's last two.
        let cutSeconds = Set(windows.flatMap { [StepBoundaries.second(ofMicros: $0.0), StepBoundaries.second(ofMicros: $0.1)] })
            .union([8, 9])
        let keptWhole = { (due: Int64) in cutSeconds.contains(Int(due / 1_000_000)) }
        #expect(!measurement.late.isEmpty)
        #expect(
            measurement.kept.count == all.filter { keptWhole($0.due) }.count - measurement.late.filter { keptWhole($0.dueMicros) }.count)
        for (start, end) in windows {
            let (impact, histogram, batches) = measurement.impact(from: start, to: end, step: "deploy")
            let inWindow = all.filter { $0.due >= start / 16 * 16 && $0.due < end / 16 * 16 }
            #expect(batches == inWindow.count, "\(start)..<\(end)")
            #expect(impact.batches == inWindow.count)
            #expect(impact.errors == inWindow.filter(\.failed).count)
            #expect(histogram.count == UInt64(inWindow.count))
            var exact = LatencyHistogram()
            for t in inWindow { exact.record(micros: UInt64(t.latency)) }
            #expect(impact.latencyMs == exact.summary, "\(start)..<\(end)")
        }
    }

    /// A background lane keeps whole only the seconds a step began or ended in, and its
    /// last two: here 200,000 transactions a second for six seconds, a step from 1.5 s to
    /// 3.2 s and 10% of the transactions failed keep seconds 1, 3, 4 and 5, not all six.
    /// A step's end published after its second closed (under a second late, as a busy
    /// engine can be) is still seen.
    @Test func aBackgroundLaneKeepsOnlyTheSecondsAStepCutsThrough() {
        let boundaries = StepBoundaries()
        boundaries.mark(nanos: 1_500_000_000)
        var lane = LaneResult(transactionCount: 1, origin: 0, open: false, boundaries: boundaries)
        var random = FastRandom(seed: 5)
        var inWindow = (batches: 0, errors: 0)
        for k in 0..<1_200_000 {
            let due = UInt64(k) * 5_000
            if due == 4_100_000_000 { boundaries.mark(nanos: 3_200_000_000) }
            let failed = k % 10 == 3
            if due >= 1_500_000_000 && due < 3_200_000_000 {
                inWindow.batches += 1
                if failed { inWindow.errors += 1 }
            }
            lane.record(
                tx: 0, due: due, sent: due, end: due + UInt64(random.next(in: 20_000, 900_000)), rows: 1,
                error: failed ? Self.serializationFailure : nil)
        }
        var merged = WorkloadMeasurement(transactionNames: ["t"], open: false)
        merged.merge(lane)
        #expect(merged.kept.count == 800_000)
        let (impact, _, _) = merged.impact(from: 1_500_000, to: 3_200_000, step: "s")
        #expect(impact.batches == inWindow.batches)
        #expect(impact.errors == inWindow.errors)
    }
}
