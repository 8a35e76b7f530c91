import Foundation
import RehearseHistogram
public import RehearseResults
import RehearseSupport


/// Realistic results documents built in code, for tests of compare and the HTML report
/// that need no PostgreSQL: a migration, a seed, a background workload with a timeline,
/// a backfill that waits on a lock fault, checks, targets and a rollback.
public enum SampleResults {
    public struct Options {
        public var name: String
        public var repetitions: Int
        /// Multiplies every latency and duration: 3 makes the "3x slower" run.
        public var latencyScale: Double
        /// The workload's typical batch latency.
        public var baseLatencyMs: Double
        public var seed: UInt64
        public var checkPasses: Bool

        public init(
            name: String = "reseed-missing-codes", repetitions: Int = 5, latencyScale: Double = 1.0, baseLatencyMs: Double = 2.0,
            seed: UInt64 = 42, checkPasses: Bool = true
        ) {
            self.name = name
            self.repetitions = repetitions
            self.latencyScale = latencyScale
            self.baseLatencyMs = baseLatencyMs
            self.seed = seed
            self.checkPasses = checkPasses
        }
    }

    /// Seeded (`SplitMix64`): the same seed gives the same document on every machine.
    public struct Random {
        var generator: SplitMix64
        public init(state: UInt64) { generator = SplitMix64(seed: state) }
        public mutating func next() -> Double { generator.nextUnit() }
        /// Log-normal around `median` with spread `sigma`.
        public mutating func latency(median: Double, sigma: Double = 0.35) -> Double {
            let u1 = max(next(), 1e-12), u2 = next()
            let gauss = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            return median * exp(sigma * gauss)
        }
    }

    public static func document(_ o: Options = Options()) -> ResultsDocument {
        var random = Random(state: o.seed)
        let repetitions = (0..<o.repetitions).map { _ in repetition(o, &random) }
        var steps: [String: ResultsDocument.StepSummary] = [:]
        for name in repetitions[0].steps.map(\.name) {
            let runs = repetitions.compactMap { $0.steps.first { $0.name == name } }
            var merged = LatencyHistogram()
            for r in runs { if let h = r.histogram.flatMap({ LatencyHistogram(encoded: $0) }) { merged.merge(h) } }
            let batches = runs.reduce(0) { $0 + $1.batches }
            let errors = runs.reduce(0) { $0 + $1.errors.values.reduce(0, +) }
            let seconds = runs.reduce(0) { $0 + $1.durationMs } / 1000
            steps[name] = .init(
                latencyMs: merged.summary, durationMs: runs.map(\.durationMs),
                errorRate: batches > 0 ? Double(errors) / Double(batches) : 0, batches: batches, rows: runs.last?.rows,
                throughput: seconds > 0 ? Double(batches) / seconds : nil, serverMemoryPeak: runs.compactMap(\.serverMemoryPeak).max(),
                clientMemoryPeak: runs.compactMap(\.clientMemoryPeak).max(), histogram: merged.count > 0 ? merged.encoded() : nil)
        }
        let reasons = o.checkPasses ? [] : ["check add_on_rates_count_121: expected 121, got 113"]
        return ResultsDocument(
            scenario: .init(name: o.name, file: "scenarios/\(o.name).yaml", sha256: String(repeating: "ab12", count: 16)),
            run: .init(
                id: "run-\(o.seed)", startedAt: "2026-11-22T10:00:00Z", finishedAt: "2026-11-22T10:01:00Z", gitCommit: "0123abcd"),
            environment: .init(
                rehearseVersion: "0.1.0", postgresVersion: "15.18", server: .embedded,
                settings: ["shared_buffers": "128MB", "work_mem": "4MB"], os: "Debian GNU/Linux 13", cpuModel: "Example CPU @ 2.4GHz",
                cpuCount: 2, memoryBytes: 25_769_803_776),
            verdict: o.checkPasses ? .approved : .blocked, reasons: reasons, expectation: .init(met: true, mismatches: []),
            repetitions: repetitions, summary: .init(steps: steps))
    }

    static func repetition(_ o: Options, _ random: inout Random) -> RepetitionResult {
        let s = o.latencyScale
        let faultStart = 2000.0 * s, faultEnd = 3200.0 * s
        // The workload runs in the background for the whole repetition; the backfill overlaps the fault.
        let workloadMs = 6000.0 * s
        var workload = LatencyHistogram()
        var perSecond: [Int: [Double]] = [:]
        var clock = 0.0
        var errors = 0
        while clock < workloadMs {
            var ms = random.latency(median: o.baseLatencyMs * s)
            if clock >= faultStart && clock < faultEnd && random.next() < 0.3 { ms += random.latency(median: 40 * s, sigma: 0.5) }
            if random.next() < 0.002 { errors += 1 }
            workload.record(micros: UInt64((ms * 1000).rounded()))
            perSecond[Int(clock / 1000), default: []].append(ms)
            clock += max(ms, 1.6 * s)
        }
        let timeline = perSecond.keys.sorted().map { second -> TimelineBucket in
            let v = perSecond[second]!.sorted()
            func at(_ p: Double) -> Double { v[min(v.count - 1, Int(Double(v.count) * p))] }
            return TimelineBucket(second: second, batches: v.count, errors: 0, p50: at(0.5), p99: at(0.99), max: v.last!)
        }
        let migrate = step(
            "migrate", kind: "migrate", random: &random, batches: 1, median: 120 * s, startedMs: 0, rows: 0, server: 90_000_000)
        let seed = step(
            "seed-rates", kind: "seed", random: &random, batches: 40, median: 3.1 * s, startedMs: 150 * s, rows: 4000,
            server: 120_000_000)
        var backfill = step(
            "backfill-codes", kind: "backfill", random: &random, batches: 25, median: 60 * s, startedMs: 1500 * s, rows: 25_000,
            server: 150_000_000)
        backfill.lockWaitMaxMs = (faultEnd - 1500 * s) * 0.8
        backfill.locksTaken = [
            LockTaken(relation: "add_on_rates", mode: "RowExclusiveLock", heldMs: 2400 * s),
            LockTaken(relation: "add_on_codes", mode: "ShareUpdateExclusiveLock", heldMs: 35 * s),
        ]
        let merged = workload.summary
        backfill.impact = Impact(
            step: "app-traffic", batches: Int(workload.count) / 3, errors: errors,
            latencyMs: merged.map {
                LatencySummary(p50: $0.p50, p90: $0.p90, p95: $0.p95, p99: $0.p99, p999: $0.p999, max: $0.max, mean: $0.mean)
            }
        )
        let traffic = StepResult(
            name: "app-traffic", kind: "workload", status: .ok, error: nil, durationMs: workloadMs, startedMs: 0,
            batches: Int(workload.count), rows: Int(workload.count), errors: errors > 0 ? ["40P01": errors] : [:], latencyMs: merged,
            histogram: workload.encoded(), serverMemoryPeak: 140_000_000, clientMemoryPeak: 24_000_000, timeline: timeline, background: true
        )
        let cleanup = StepResult(
            name: "drop-old-codes", kind: "sql", status: .skipped, error: nil, durationMs: 0, batches: 0, rows: 0, errors: [:])
        return RepetitionResult(
            verdict: o.checkPasses ? .approved : .blocked, steps: [migrate, seed, traffic, backfill, cleanup],
            faults: [
                FaultResult(
                    kind: "lock", target: "add_on_rates", during: "backfill-codes", applied: true, startedMs: faultStart, endedMs: faultEnd,
                    observed: ["waiters": .number(3), "mode": .string("AccessExclusiveLock")])
            ],
            checks: [
                CheckResult(
                    name: "add_on_rates_count_121", passed: o.checkPasses, expected: .number(121),
                    actual: .number(o.checkPasses ? 121 : 113),
                    phase: "deploy"),
                CheckResult(name: "no_orphan_codes", passed: true, expected: .number(0), actual: .number(0), phase: "deploy"),
            ],
            targets: [TargetResult(step: "app-traffic", target: "p99 < 50ms", actual: merged?.p99, passed: (merged?.p99 ?? 0) < 50)],
            rollback: RollbackResult(
                status: .passed, durationMs: 12.5 * s, error: nil,
                differences: [
                    Difference(object: "index add_on_codes_code_idx", kind: "index", change: "removed", detail: "dropped by down")
                ],
                via: "down"))
    }

    static func step(
        _ name: String, kind: String, random: inout Random, batches: Int, median: Double, startedMs: Double, rows: Int, server: Int64
    ) -> StepResult {
        var h = LatencyHistogram()
        var total = 0.0
        for _ in 0..<batches {
            let ms = random.latency(median: median, sigma: 0.2)
            total += ms
            h.record(micros: UInt64((ms * 1000).rounded()))
        }
        return StepResult(
            name: name, kind: kind, status: .ok, error: nil, durationMs: total, startedMs: startedMs, batches: batches, rows: rows,
            errors: [:], latencyMs: h.summary, histogram: h.encoded(), serverMemoryPeak: server, clientMemoryPeak: 12_000_000,
            lockWaitMaxMs: 0)
    }
}
