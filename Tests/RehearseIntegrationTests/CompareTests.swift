import Foundation
import Testing

@testable import RehearseEngine
@testable import RehearseHistogram
@testable import RehearseReport
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport

extension TimedSuites {
    /// Comparisons on real runs: the same workload twice is not a regression; the same
    /// workload with transactions three times slower is one, in every output format.
    @Suite("compare on real runs")
    struct CompareTests {
        func run(sleepMs: Int, repeat count: Int = 5) async throws -> ResultsDocument {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-cmp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("sleepy.yaml")
            try """
            name: sleepy
            repeat: \(count)
            steps:
              - name: work
                workload:
                  connections: 2
                  iterations: 60
                  transactions:
                    - {name: nap, sql: "SELECT pg_sleep(\(Double(sleepMs) / 1000))"}
            checks:
              - {name: alive, query: "SELECT 1", expect: 1}
            """.write(to: file, atomically: false, encoding: .utf8)
            return try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
        }

        /// The repetitions of one run split into two documents (odd and even), with their
        /// summaries rebuilt: two runs of the same workload that saw the same machine,
        /// since whatever else the machine did touched both halves alike.
        func halves(_ doc: ResultsDocument) -> (ResultsDocument, ResultsDocument) {
            func half(_ parity: Int) -> ResultsDocument {
                var d = doc
                d.repetitions = doc.repetitions.enumerated().filter { $0.offset % 2 == parity }.map(\.element)
                var steps: [String: ResultsDocument.StepSummary] = [:]
                for name in Set(d.repetitions.flatMap { $0.steps.map(\.name) }) {
                    let runs = d.repetitions.compactMap { $0.steps.first { $0.name == name } }
                    var merged = LatencyHistogram()
                    for r in runs { if let h = r.histogram.flatMap({ LatencyHistogram(encoded: $0) }) { merged.merge(h) } }
                    let batches = runs.reduce(0) { $0 + $1.batches }
                    let seconds = runs.reduce(0) { $0 + $1.durationMs } / 1000
                    steps[name] = .init(
                        latencyMs: merged.summary, durationMs: runs.map(\.durationMs), errorRate: 0, batches: batches,
                        rows: runs.reduce(0) { $0 + $1.rows }, throughput: seconds > 0 ? Double(batches) / seconds : nil,
                        histogram: merged.count > 0 ? merged.encoded() : nil)
                }
                d.summary = .init(steps: steps)
                return d
            }
            return (half(0), half(1))
        }

        @Test func sameWorkloadTwiceIsNotARegressionAndThreeTimesSlowerIs() async throws {
            let (a, b) = halves(try await run(sleepMs: 4, repeat: 10))
            let c = try await run(sleepMs: 12)
            let comparator = Comparator(threshold: 0.10)

            let same = comparator.compare(baselines: [a], currents: [b])
            let work = try #require(same.scenarios[0].findings.first { $0.step == "work" })
            #expect(work.verdict == .unchanged && work.metric == "mean" && work.repetitions == [5, 5], "\(work.reason)")
            #expect(!same.hasRegression)

            let slower = comparator.compare(baselines: [a], currents: [c])
            #expect(slower.hasRegression && slower.regressionCount == 1)
            let slow = try #require(slower.scenarios[0].findings.first { $0.step == "work" })
            #expect(slow.verdict == .regressed && (slow.interval?[0] ?? 0) > 0.5, "\(slow.reason)")
            let p50 = try #require(slow.rows.first { $0.metric == "p50" })
            // 12 ms of sleep against 4: the p50 grows by about 8 ms. Compared as a difference,
            // not a ratio: on a loaded machine the scheduler adds the same delay to both sides,
            // which shrinks the ratio (+108% seen at load 9) but not the difference.
            #expect((p50.current ?? 0) - (p50.baseline ?? 0) > 6, "\(p50)")

            let text = ComparisonFormatter.render(slower, as: .text)
            #expect(text.contains("work: regressed — mean +"))
            let markdown = ComparisonFormatter.render(slower, as: .markdown)
            #expect(markdown.contains("| work | p95 |") && markdown.contains("**regressed**"))
            let json = ComparisonFormatter.render(slower, as: .json)
            #expect(json.contains("\"has_regression\" : true"))
            let junit = ComparisonFormatter.render(slower, as: .junit)
            #expect(junit.contains("<failure message=\"work regressed"))
            let back = try ResultsCoding.decoder().decode(ComparisonReport.self, from: Data(json.utf8))
            #expect(back.scenarios[0].rows.count == slower.scenarios[0].rows.count)

            // The report overlays baseline and current.
            let html = HTMLReport.render(documents: [c], baseline: [a])
            #expect(html.contains("<svg") && html.contains("baseline") && html.contains("regression"))
        }

        @Test func environmentMismatchesAndFlippedChecks() async throws {
            let a = try await run(sleepMs: 1, repeat: 1)
            var b = a
            b.environment.postgresVersion = "16.4"
            b.environment.settings["work_mem"] = "64MB"
            b.repetitions[0].checks[0].passed = false
            b.verdict = .blocked
            let report = Comparator().compare(baselines: [a], currents: [b])
            #expect(report.warnings.contains { $0.contains("postgres_version differs") })
            #expect(report.warnings.contains { $0.contains("setting work_mem differs") })
            let rows = report.scenarios[0].rows
            #expect(rows.contains { $0.step == "checks" && $0.metric == "alive" && $0.verdict == .regressed })
            #expect(rows.contains { $0.metric == "verdict" && $0.verdict == .regressed })
            // Too few repetitions: the time is not tested, and says so.
            #expect(report.scenarios[0].findings.contains { $0.step == "work" && $0.reason.contains("not tested") })
            // An HTML report escapes what it shows.
            var evil = a
            evil.reasons = ["<script>alert(1)</script>"]
            #expect(!HTMLReport.render(documents: [evil]).contains("<script>alert"))
        }

    }
}
