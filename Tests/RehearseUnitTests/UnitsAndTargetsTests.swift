import Foundation
import Testing

@testable import RehearseEngine
@testable import RehearseHistogram
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport
@testable import RehearseVerdict

@Suite("Units, targets and histograms")
struct UnitsAndTargetsTests {
    let here = SourceLocation(file: "t.yaml", line: 1, column: 1)

    @Test func durationsSizesFractions() {
        #expect(Units.duration("250ms") == .milliseconds(250))
        #expect(Units.duration("2s") == .seconds(2))
        #expect(Units.duration("1m") == .seconds(60))
        #expect(Units.duration("500us") == .microseconds(500))
        #expect(Units.duration("fast") == nil)
        #expect(Units.size("64kB") == 65536)
        #expect(Units.size("512MB") == Int64(536_870_912))
        #expect(Units.size("1GB") == 1_073_741_824)
        #expect(Units.fraction("5%") == 0.05)
        #expect(Units.fraction("0.05") == 0.05)
        #expect(Units.fraction("2") == nil)
        // `--threshold` takes the same parser with its own range, up to 1000%.
        #expect(Units.fraction("1000%", atMost: NumberRanges.maxThreshold) == 10)
        #expect(Units.fraction("2", atMost: NumberRanges.maxThreshold) == 2)
        #expect(Units.fraction("1001%", atMost: NumberRanges.maxThreshold) == nil)
        #expect(Units.fraction("nan", atMost: NumberRanges.maxThreshold) == nil)
        #expect(Units.rate("200/s") == 200)
        #expect(Units.rate("60/m") == 1)
    }

    @Test func targetGrammar() throws {
        let p95 = try TargetParser.parse("p95 < 2000ms", location: here).get()
        #expect(p95.metric == .p95 && p95.op == .lt && p95.value == 2000)
        let rate = try TargetParser.parse("error_rate <= 1%", location: here).get()
        #expect(rate.metric == .errorRate && rate.op == .le && rate.value == 0.01)
        let memory = try TargetParser.parse("client_memory_peak < 450MB", location: here).get()
        #expect(memory.value == 450 * 1_048_576)
        let duration = try TargetParser.parse("duration >= 1m", location: here).get()
        #expect(duration.value == 60_000)
        #expect(throws: TargetParseError.self) { try TargetParser.parse("p95 ~ 3", location: here).get() }
        #expect(throws: TargetParseError.self) { try TargetParser.parse("p95 < 3 apples", location: here).get() }
    }

    @Test func targetsJudgeMetrics() {
        var metrics = StepMetrics()
        for v in 1...100 { metrics.latency.record(micros: UInt64(v) * 1000) }
        metrics.batches = 100
        metrics.errors = 2
        metrics.durationsMs = [1000]
        let group = TargetGroup(
            step: "s", impact: false,
            targets: [
                try! TargetParser.parse("p95 < 96ms", location: here).get(),
                try! TargetParser.parse("error_rate < 1%", location: here).get(),
                try! TargetParser.parse("throughput >= 100/s", location: here).get(),
            ])
        let results = TargetEvaluator.evaluate([group], metrics: ["s": metrics], impacts: [:])
        #expect(results.map(\.passed) == [true, false, true])
        #expect(results[1].actual == 0.02)
    }

    /// With `repeat` above 1 a target judges the merged measurements: errors and
    /// batches add up over the repetitions; duration is their median.
    @Test func targetsJudgeTheRepetitionsMerged() {
        var merged = StepMetrics()
        for duration in [900.0, 1000, 5000] {
            var one = StepMetrics()
            one.batches = 100
            one.errors = 10
            one.durationsMs = [duration]
            merged.merge(one)
        }
        let group = TargetGroup(
            step: "s", impact: false,
            targets: ["errors < 11", "errors <= 30", "batches >= 300", "duration < 2s"].map {
                try! TargetParser.parse($0, location: here).get()
            })
        let results = TargetEvaluator.evaluate([group], metrics: ["s": merged], impacts: [:])
        #expect(results.map(\.passed) == [false, true, true, true])
        #expect(results[0].actual == 30)
    }

    @Test func histogramPercentilesAndEncodingRoundTrip() throws {
        var h = LatencyHistogram()
        for v in 1...10_000 { h.record(micros: UInt64(v)) }
        h.record(micros: 5_000_000)
        #expect(abs(h.millis(atPercentile: 50) - 5.0) < 0.01)
        #expect(abs(h.millis(atPercentile: 99) - 9.9) < 0.01)
        #expect(abs(h.maxMillis - 5000) < 5)
        let decoded = try #require(LatencyHistogram(encoded: h.encoded()))
        #expect(decoded.count == h.count)
        for p in [50.0, 90, 99, 99.9, 100] {
            #expect(decoded.millis(atPercentile: p) == h.millis(atPercentile: p))
        }
        #expect(LatencyHistogram(encoded: "not base64!") == nil)
    }

    /// A fraction of the rows is exactly that fraction (rounded, at least one row), the
    /// same rows every time for the same seed, other rows for another seed.
    @Test func missingSeedFractionIsExactAndReproducible() {
        func removed(_ fraction: Double, seed: UInt64, of rows: Int) -> [Int] {
            let fault = MissingSeedFault(table: "t", selection: .fraction(fraction, randomSeed: seed))
            let filter = try! MissingSeedFilter(fault: fault, header: ["id"], rowCount: rows)
            return (0..<rows).filter { filter.removes(rowIndex: $0, fields: { [] }) }
        }
        let first = removed(0.05, seed: 7, of: 10_000)
        #expect(first.count == 500)
        #expect(removed(0.05, seed: 7, of: 10_000) == first)
        #expect(removed(0.05, seed: 8, of: 10_000) != first)
        #expect(removed(0.05, seed: 7, of: 121).count == 6)
        for seed: UInt64 in 0..<20 { #expect(removed(0.05, seed: seed, of: 20).count == 1) }
        #expect(removed(0.01, seed: 3, of: 5).count == 1)
        #expect(removed(1, seed: 3, of: 5).count == 5)
        #expect(removed(0.3, seed: 3, of: 0).isEmpty)
        // Every bucket edge: a cut that falls on the first or last hash of its bucket.
        for k in [1, 2, 999, 1000] {
            #expect(removed(Double(k) / 1000, seed: 11, of: 1000).count == k)
        }
    }

    @Test func secretsAreMasked() {
        #expect(!SecretMasker.mask("postgresql://app:hunter22@db:5432/x").contains("hunter22"))
        #expect(!SecretMasker.mask("host=db password='s3cr;et' user=a").contains("s3cr"))
        #expect(!SecretMasker.mask("PGPASSWORD=topsecret ./seed.sh").contains("topsecret"))
        #expect(SecretMasker.mask("nothing here").contains("nothing here"))
    }
}
