import Foundation
import TestBasics
import Testing

@testable import RehearseHistogram
@testable import RehearseResults
@testable import RehearseSupport
@testable import RehearseVerdict

/// `merge` on documents built in code: the histograms of a suite's shards summed exactly,
/// the whole judged again as one run of it would be, and parts that do not belong together
/// refused with the files named.
@Suite("Merge of shards")
struct MergeTests {
    /// Repetition `r`'s 5000 latencies (µs): spread over 1-20000, every 97th a slow one.
    static func samples(repetition r: Int) -> [UInt64] {
        (0..<5000).map { i in i % 97 == 0 ? UInt64(250_000 + i * 13) : UInt64(1 + (i * 7919 + r * 104_729) % 20000) }
    }

    static func repetition(_ r: Int, checkPasses: Bool = true) -> RepetitionResult {
        var h = LatencyHistogram()
        for v in samples(repetition: r) { h.record(micros: v) }
        let step = StepResult(
            name: "reads", kind: "workload", status: .ok, durationMs: 1000 + Double(r), startedMs: 5, batches: 5000, rows: 0,
            errors: ["40001": r], latencyMs: h.summary, histogram: h.encoded())
        let check = CheckResult(
            name: "rows", passed: checkPasses, expected: .number(1), actual: .number(checkPasses ? 1 : 0), phase: "deploy")
        return RepetitionResult(
            verdict: .approved, steps: [step], faults: [], checks: [check], targets: [], rollback: .init(status: .notRun, differences: []))
    }

    /// A document of the given repetitions (0-based sample seeds), as shard `shard` wrote it.
    static func document(_ reps: [Int], shard: String?, total: Int = 4, sha: String = "ab12", version: String = "15.18") -> ResultsDocument
    {
        var repetitions = reps.map { repetition($0, checkPasses: $0 != 2) }
        if shard != nil { for i in repetitions.indices { repetitions[i].index = reps[i] + 1 } }
        var info = ResultsDocument.ScenarioInfo(name: "reads", file: "scenarios/reads.yaml", sha256: sha)
        info.targets = ["reads": ["p95 < 20ms", "p99 < 100ms", "error_rate < 1%"]]
        info.expect = ExpectInfo(verdict: .blocked)
        var document = ResultsDocument(
            scenario: info,
            run: .init(
                id: "run-\(shard ?? "whole")", startedAt: "2026-12-03T08:00:0\(reps.first ?? 0)Z", finishedAt: "2026-12-03T08:01:00Z"),
            environment: .init(
                rehearseVersion: "0", postgresVersion: version, server: .embedded, settings: [:], os: "Linux", cpuModel: "cpu", cpuCount: 2,
                memoryBytes: 1 << 30),
            verdict: .approved, reasons: [], expectation: .init(met: true, mismatches: []), repetitions: repetitions,
            summary: .init(steps: [:]))
        document.shard = shard.map { ShardInfo(shard: $0, repeat: total, repetitions: reps.map { $0 + 1 }) }
        return document
    }

    /// The whole suite as `run` judges it, from its own measurements.
    static func whole() throws -> ResultsDocument {
        let document = document([0, 1, 2, 3], shard: nil)
        return try #require(try ResultsMerger.merge([.init(file: "whole.json", document: document)], runID: "whole").first)
    }

    /// The merged percentiles are those of one histogram of all 20,000 samples, and those
    /// the reference HdrHistogram (Python, `pip install hdrhistogram` 0.10.x) gives:
    ///
    ///     from hdrh.histogram import HdrHistogram
    ///     h = HdrHistogram(1, 3600000000, 3)
    ///     for r in range(4):
    ///         for i in range(5000):
    ///             h.record_value(250000 + i * 13 if i % 97 == 0 else 1 + (i * 7919 + r * 104729) % 20000)
    ///     [h.get_value_at_percentile(p) for p in (50, 90, 95, 99, 99.9)], h.get_max_value(), h.get_total_count()
    ///     # [10103, 18191, 19215, 251263, 308223], 314367, 20000
    @Test func mergedPercentilesAreThoseOfAllSamples() throws {
        let parts = [
            ResultsMerger.Part(file: "s1.json", document: Self.document([0, 2], shard: "1/2")),
            ResultsMerger.Part(file: "s2.json", document: Self.document([1, 3], shard: "2/2")),
        ]
        let merged = try #require(try ResultsMerger.merge(parts, runID: "m").first)
        var all = LatencyHistogram()
        for r in 0..<4 { for v in Self.samples(repetition: r) { all.record(micros: v) } }
        let summary = try #require(merged.summary.steps["reads"]?.latencyMs)
        #expect(summary == all.summary)
        #expect([summary.p50, summary.p90, summary.p95, summary.p99, summary.p999] == [10.103, 18.191, 19.215, 251.263, 308.223])
        #expect(summary.max == 314.367)
        let histogram = try #require(merged.summary.steps["reads"]?.histogram.flatMap { LatencyHistogram(encoded: $0) })
        #expect(histogram.count == 20000)
        #expect(merged.summary.steps["reads"]?.batches == 20000)
        // The targets judged on the whole: p95 held, p99 missed, 6 errors in 20,000 batches.
        #expect(merged.reasons.contains("target reads: p99 < 100ms (actual 251.263)"))
        #expect(!merged.reasons.contains { $0.contains("p95") || $0.contains("error_rate") })
        #expect(merged.repetitions.map(\.index) == [1, 2, 3, 4])
        #expect(
            merged.mergedFrom == [
                .init(file: "s1.json", runId: "run-1/2", shard: "1/2"), .init(file: "s2.json", runId: "run-2/2", shard: "2/2"),
            ])
        #expect(merged.shard == nil)
    }

    /// The reference HdrHistogram (Python, scripts/python-tools.txt) decodes the shards'
    /// histograms, adds them up, and finds the merged document's histogram equal to that sum
    /// bucket for bucket, with the merged document's percentiles.
    @Test func theReferenceHdrHistogramAgreesWithTheMergedDocument() async throws {
        let parts = [
            ResultsMerger.Part(file: "s1.json", document: Self.document([0], shard: "1/3")),
            ResultsMerger.Part(file: "s2.json", document: Self.document([1, 3], shard: "2/3")),
            ResultsMerger.Part(file: "s3.json", document: Self.document([2], shard: "3/3")),
        ]
        let merged = try #require(try ResultsMerger.merge(parts, runID: "m").first)
        let step = try #require(merged.summary.steps["reads"])
        let input: [String: Any] = [
            "merged": step.histogram ?? "",
            "parts": parts.flatMap { $0.document.repetitions.compactMap { $0.steps.first?.histogram } },
        ]
        let folder = try TemporaryFolder(prefix: "rh-merge")
        let file = try folder.file(String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self), name: "h.json")
        let code = """
            import json, sys
            from hdrh.histogram import HdrHistogram
            d = json.load(open(sys.argv[1]))
            total = HdrHistogram(1, 3600000000, 3)
            for p in d["parts"]:
                total.add(HdrHistogram.decode(p))
            merged = HdrHistogram.decode(d["merged"])
            buckets = lambda h: [(i.value_iterated_to, i.count_at_value_iterated_to) for i in h.get_recorded_iterator()]
            print(json.dumps({"equal": buckets(merged) == buckets(total), "count": merged.get_total_count(),
                              "percentiles": [merged.get_value_at_percentile(p) / 1000 for p in (50, 90, 95, 99, 99.9)]}))
            """
        let (status, output) = try await PythonTools.run(code, [file.path])
        try #require(status == 0, "\(output)")
        let json = try #require(output.split(separator: "\n").last.map { Data($0.utf8) })
        let reference = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(reference["equal"] as? Bool == true)
        #expect(reference["count"] as? Int == 20000)
        let latency = try #require(step.latencyMs)
        #expect(reference["percentiles"] as? [Double] == [latency.p50, latency.p90, latency.p95, latency.p99, latency.p999])
    }

    /// Split 2 and 3 ways, the suite merges to the verdict, reasons, expectation and summary
    /// of the whole.
    @Test func shardsMergeToTheWhole() throws {
        let whole = try Self.whole()
        #expect(whole.verdict == .blocked)
        #expect(whole.expectation.met)
        #expect(whole.reasons.contains("check rows: expected 1, got 0"))
        for split in [[[0, 2], [1, 3]], [[0, 3], [1], [2]]] {
            let parts = split.enumerated().map { i, reps in
                ResultsMerger.Part(file: "s\(i + 1).json", document: Self.document(reps, shard: "\(i + 1)/\(split.count)"))
            }
            let merged = try #require(try ResultsMerger.merge(parts.reversed(), runID: "m").first)
            #expect(merged.verdict == whole.verdict)
            #expect(merged.reasons == whole.reasons)
            #expect(merged.expectation.met == whole.expectation.met)
            #expect(merged.expectation.mismatches == whole.expectation.mismatches)
            #expect(merged.summary.steps["reads"]?.latencyMs == whole.summary.steps["reads"]?.latencyMs)
            #expect(merged.summary.steps["reads"]?.durationMs == whole.summary.steps["reads"]?.durationMs)
            #expect(merged.summary.steps["reads"]?.errorRate == whole.summary.steps["reads"]?.errorRate)
        }
    }

    @Test func partsThatDoNotBelongTogetherAreRefused() {
        let cases: [([ResultsMerger.Part], String)] = [
            (
                [
                    .init(file: "a.json", document: Self.document([0, 2], shard: "1/2")),
                    .init(file: "b.json", document: Self.document([1, 3], shard: "2/2", sha: "cd34")),
                ],
                "cannot merge reads: a.json and b.json ran different scenario files"
            ),
            (
                [
                    .init(file: "a.json", document: Self.document([0, 2], shard: "1/2")),
                    .init(file: "b.json", document: Self.document([1, 3], shard: "2/2", version: "15.17")),
                ],
                "cannot merge reads: a.json ran on PostgreSQL 15.18 and b.json on 15.17"
            ),
            (
                [
                    .init(file: "a.json", document: Self.document([0, 2], shard: "1/2")),
                    .init(file: "b.json", document: Self.document([1, 2, 3], shard: "2/2")),
                ],
                "cannot merge reads: repetition 3 is in both a.json and b.json"
            ),
            (
                [.init(file: "a.json", document: Self.document([0, 2], shard: "1/2"))],
                "cannot merge reads: repetitions 2, 4 of 4 are in none of a.json"
            ),
        ]
        for (parts, message) in cases {
            #expect {
                try ResultsMerger.merge(parts, runID: "m")
            } throws: { error in
                "\(error)".hasPrefix(message) && ExitStatus.of(error) == ExitStatus.invalid
            }
        }
        // Another major version is another document, not a conflict.
        let majors = try? ResultsMerger.merge(
            [
                .init(file: "a.json", document: Self.document([0, 1, 2, 3], shard: nil)),
                .init(file: "b.json", document: Self.document([0, 1, 2, 3], shard: nil, version: "18.1")),
            ],
            runID: "m")
        #expect(majors?.count == 2)
    }
}
