import Foundation
import Testing

@testable import RehearseEngine
@testable import RehearseHistogram
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseVerdict

/// Targets on one transaction and over a window, judged without a database: the
/// grammar, the windows of a timeline, and the evaluator's choice of measurements.
@Suite("Targets on a transaction and over a window")
struct TargetWindowTests {
    let here = SourceLocation(file: "t.yaml", line: 1, column: 1)

    func target(_ text: String) -> Target { try! TargetParser.parse(text, location: here).get() }

    /// `seconds` seconds of `perSecond` transactions at 1 ms each, and in seconds
    /// `stall` `slow` more transactions at 800 ms.
    func timeline(seconds: Int, perSecond: Int, stall: ClosedRange<Int>, slow: Int) -> [TimelineSecond] {
        (0..<seconds).map { second in
            var h = LatencyHistogram()
            var max: UInt32 = 1000
            for _ in 0..<perSecond { h.record(micros: 1000) }
            var batches = perSecond
            if stall.contains(second) {
                for _ in 0..<slow { h.record(micros: 800_000) }
                batches += slow
                max = 800_000
            }
            return TimelineSecond(second: second, batches: batches, errors: 0, maxMicros: max, latencies: h.pairs())
        }
    }

    @Test func windowGrammar() throws {
        let p99 = target("p99 over 10s < 500ms")
        #expect(p99.metric == .p99 && p99.window == .seconds(10) && p99.value == 500 && p99.op == .lt)
        #expect(target("throughput over 5s >= 100/s").window == .seconds(5))
        #expect(target("p99 < 500ms").window == nil)
        for bad in ["mean over 10s < 5ms", "duration over 10s < 5s", "p99 over soon < 5ms", "p99 under 10s < 5ms", "p99 over 500ms < 5ms"] {
            #expect(throws: TargetParseError.self, "\(bad)") { try TargetParser.parse(bad, location: here).get() }
        }
    }

    /// A minute at 500 transactions a second with 50 of them stalled 800 ms in each of
    /// seconds 20 and 21: a hundred in 30,100 is under 1%, so the whole step's p99 is
    /// 1 ms, but in the 10-second windows over the stall it is 800 ms.
    @Test func aStallThatVanishesInTheWholeStepFailsItsWindows() throws {
        var metrics = StepMetrics()
        metrics.timelines = [timeline(seconds: 60, perSecond: 500, stall: 20...21, slow: 50)]
        for second in metrics.timelines[0] { metrics.latency.add(pairs: second.latencies) }
        metrics.batches = metrics.timelines[0].reduce(0) { $0 + $1.batches }
        metrics.durationsMs = [60_000]
        let group = TargetGroup(
            step: "s", impact: false,
            targets: ["p99 < 500ms", "p99 over 10s < 500ms", "throughput over 10s >= 400/s"].map(target))
        let results = TargetEvaluator.evaluate([group], metrics: ["s": metrics], impacts: [:])
        #expect(results.map(\.passed) == [true, false, true])
        #expect(try #require(results[0].actual) < 2)
        #expect(try #require(results[1].actual) > 700)
        // The worst window is the first that holds the stall whole: seconds 12 to 22.
        #expect(results[1].window == TargetWindow(fromSecond: 12, toSecond: 22, repetition: nil))
        #expect(results[0].window == nil)
        let reasons = BlockingReasons.reasons(steps: [], checks: [], targets: results)
        #expect(reasons == ["target s: p99 over 10s < 500ms (actual \(BlockingReasons.formatNumber(results[1].actual!)) in seconds 12-22)"])
    }

    /// A step shorter than its window is one window, its throughput over its own
    /// duration; a lower bound takes the smallest window, an upper one the largest.
    @Test func aShortStepIsOneWindowAndLowerBoundsTakeTheLeast() {
        let short = [timeline(seconds: 3, perSecond: 100, stall: 1...1, slow: 0)]
        let one = TargetWindows.worst(.throughput, over: .seconds(10), upperBound: false, timelines: short, durationsMs: [2_500])
        #expect(one == TargetWindows.Worst(value: 120, window: TargetWindow(fromSecond: 0, toSecond: 3), repetition: 0))
        // Two repetitions, the second slower in its last two seconds.
        var slower = timeline(seconds: 5, perSecond: 100, stall: 9...9, slow: 0)
        slower[3].batches = 10
        slower[4].batches = 10
        let least = TargetWindows.worst(
            .throughput, over: .seconds(2), upperBound: false,
            timelines: [timeline(seconds: 5, perSecond: 100, stall: 9...9, slow: 0), slower], durationsMs: [5_000, 5_000])
        #expect(least == TargetWindows.Worst(value: 10, window: TargetWindow(fromSecond: 3, toSecond: 5), repetition: 1))
    }

    /// With `repeat` above 1 every repetition's windows are judged: the worst names its
    /// repetition, in the result and in the verdict's reason.
    @Test func theWorstWindowOfSeveralRepetitionsNamesItsRepetition() {
        var merged = StepMetrics()
        for stall in [false, true] {
            var one = StepMetrics()
            one.timelines = [timeline(seconds: 20, perSecond: 100, stall: stall ? 5...5 : 99...99, slow: 10)]
            one.durationsMs = [20_000]
            merged.merge(one)
        }
        let group = TargetGroup(step: "s", impact: false, targets: [target("max over 5s < 100ms")])
        let results = TargetEvaluator.evaluate([group], metrics: ["s": merged], impacts: [:])
        #expect(results.first?.passed == false)
        #expect(results.first?.actual == 800)
        #expect(results.first?.window == TargetWindow(fromSecond: 1, toSecond: 6, repetition: 2))
        let reason = BlockingReasons.reasons(steps: [], checks: [], targets: results).first ?? ""
        #expect(reason.hasSuffix("in seconds 1-6 of repetition 2)"), "\(reason)")
    }

    /// `<step>.<transaction>` judges that transaction's own measurements, not the step's.
    @Test func aTransactionTargetJudgesThatTransaction() {
        var step = StepMetrics()
        var fast = StepMetrics()
        var slow = StepMetrics()
        for _ in 0..<200 { fast.latency.record(micros: 1000) }
        for _ in 0..<5 { slow.latency.record(micros: 30_000) }
        step.latency.merge(fast.latency)
        step.latency.merge(slow.latency)
        step.transactions = ["read": fast, "insert_posts": slow]
        var group = TargetGroup(step: "ingest", impact: false, targets: [target("p95 < 20ms")])
        group.transaction = "insert_posts"
        let whole = TargetGroup(step: "ingest", impact: false, targets: [target("p95 < 20ms")])
        let results = TargetEvaluator.evaluate([group, whole], metrics: ["ingest": step], impacts: [:])
        #expect(results.map(\.step) == ["ingest.insert_posts", "ingest"])
        #expect(results.map(\.passed) == [false, true])
    }
}
