import Foundation
import Testing

@testable import RehearseHistogram
@testable import RehearseResults
@testable import RehearseSupport
@testable import RehearseVerdict

/// A workload step summed over load slices, without a server: histograms, counts, errors,
/// transactions and the timeline's seconds (each slice's aligned on its first).
@Suite("Load slices merged")
struct LoadSliceMergeTests {
    static func histogram(_ values: ClosedRange<UInt64>) -> LatencyHistogram {
        var h = LatencyHistogram()
        for v in values { h.record(micros: v) }
        return h
    }

    /// One slice's share: `values` µs, in seconds starting at `firstSecond` of its own repetition.
    static func share(_ values: ClosedRange<UInt64>, firstSecond: Int, errors: Int, duration: Double) -> StepResult {
        let h = histogram(values)
        var step = StepResult(
            name: "traffic", kind: "workload", status: .ok, durationMs: duration, batches: Int(h.count), rows: Int(h.count),
            errors: ["40001": errors], latencyMs: h.summary, histogram: h.encoded())
        var transaction = TransactionResult(batches: Int(h.count), errors: ["40001": errors], latencyMs: h.summary)
        transaction.histogram = h.encoded()
        step.transactions = ["hit": transaction]
        // Two seconds: the lower half of the values, then the upper.
        let middle = values.lowerBound + UInt64(values.count / 2)
        step.timeline = [(values.lowerBound...middle - 1, 0), (middle...values.upperBound, 1)].map { range, offset in
            let second = histogram(range)
            var bucket = TimelineBucket(
                second: firstSecond + offset, batches: Int(second.count), errors: 0, p50: second.millis(atPercentile: 50),
                p99: second.millis(atPercentile: 99), max: second.maxMillis)
            bucket.histogram = second.encoded()
            return bucket
        }
        return step
    }

    @Test func aStepSummedOverSlicesIsTheWholeWorkload() throws {
        let a = Self.share(1...1000, firstSecond: 3, errors: 2, duration: 2000)
        let b = Self.share(1001...3000, firstSecond: 0, errors: 1, duration: 2100)
        let sum = LoadSliceMerge.sum([a, b])
        let whole = Self.histogram(1...3000)
        #expect(sum.batches == 3000)
        #expect(sum.rows == 3000)
        #expect(sum.errors == ["40001": 3])
        #expect(sum.durationMs == 2100)
        #expect(sum.latencyMs == whole.summary)
        #expect(LatencyHistogram(encoded: sum.histogram ?? "")?.count == 3000)
        #expect(sum.transactions?["hit"]?.batches == 3000)
        #expect(sum.transactions?["hit"]?.latencyMs == whole.summary)
        // The slices started together: slice 2's seconds 0 and 1 are slice 1's 3 and 4.
        #expect(sum.timeline?.map(\.second) == [3, 4])
        #expect(sum.timeline?.map(\.batches) == [1500, 1500])
        let first = Self.histogram(1...500)
        var both = first
        both.merge(Self.histogram(1001...2000))
        #expect(sum.timeline?.first?.p99 == both.millis(atPercentile: 99))
        #expect(sum.timeline?.first?.max == both.maxMillis)
    }

    @Test func aFailedShareFailsTheStep() {
        var b = Self.share(1...10, firstSecond: 0, errors: 0, duration: 5)
        b.status = .failed
        b.error = ErrorInfo(sqlstate: "57P01", message: "terminating connection")
        let sum = LoadSliceMerge.sum([Self.share(11...20, firstSecond: 0, errors: 0, duration: 5), b])
        #expect(sum.status == .failed)
        #expect(sum.error?.sqlstate == "57P01")
    }
}
