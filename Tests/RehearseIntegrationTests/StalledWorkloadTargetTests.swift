import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseReport
@testable import RehearseHistogram
@testable import RehearseResults


extension TimedSuites {
    /// Targets on one transaction and over a window, on a real workload stalled by a
    /// lock fault: an open-model workload of two transactions at 200/s for 8 s, whose
    /// writes wait 300 ms behind an ACCESS EXCLUSIVE lock taken 3 s in. The sixty-odd
    /// late transactions are under a tenth of the step, so its p90 holds; in the
    /// one-second window over the stall they are about a third, and it fails.
    @Suite("Targets on a stalled workload")
    struct StalledWorkloadTargetTests {
        @Test func theWindowOverTheStallFailsWhereTheWholeStepHolds() async throws {
            let document = try await ScenarioSuiteTests.run(
                yaml: """
                    name: stalled-targets
                    steps:
                      - name: schema
                        sql: "CREATE TABLE posts (id bigserial PRIMARY KEY, body text)"
                      - name: ingest
                        workload:
                          connections: 4
                          duration: 8s
                          rate: 200/s
                          transactions:
                            - {name: insert_posts, weight: 1, sql: "INSERT INTO posts (body) VALUES ('x')"}
                            - {name: read_one, weight: 1, sql: "SELECT 1"}
                    faults:
                      - lock: {table: posts, mode: access_exclusive, during: ingest, after: 3s, hold: 300ms}
                    targets:
                      ingest: ["p90 < 100ms", "p90 over 1s < 100ms"]
                      ingest.insert_posts: ["p95 < 10s", "batches > 0"]
                    expect:
                      verdict: blocked
                    """)
            let rep = try #require(document.repetitions.first)
            let ingest = try #require(rep.steps.first { $0.name == "ingest" })
            let targets = rep.targets
            #expect(targets.map(\.step) == ["ingest", "ingest", "ingest.insert_posts", "ingest.insert_posts"])
            #expect(targets.map(\.passed) == [true, false, true, true], "\(targets)")
            // The failing window holds the stall (3 s to 3.3 s in the step).
            let window = try #require(targets[1].window)
            let stepStart = Int((ingest.startedMs ?? 0) / 1000)
            #expect(window.toSecond - window.fromSecond == 1)
            #expect((stepStart + 2)...(stepStart + 4) ~= window.fromSecond, "\(window), step from \(stepStart) s")
            // The transaction's targets judge its own measurements.
            let insert = try #require(ingest.transactions?["insert_posts"])
            #expect(targets[2].actual == insert.latencyMs?.p95)
            #expect(targets[3].actual == Double(insert.batches))
            #expect(insert.batches < ingest.batches)
            #expect(document.reasons.contains { $0.contains("p90 over 1s < 100ms") && $0.contains("in seconds") })
            #expect(document.expectation.met, "\(document.expectation.mismatches)")
            // The summary has each transaction of the step, merged as the step is.
            let summary = try #require(document.summary.steps["ingest"]?.transactions)
            #expect(Set(summary.keys) == ["insert_posts", "read_one"])
            #expect(summary["insert_posts"]?.batches == insert.batches)
            let table = SummaryTable.render([document])
            #expect(table.contains("· insert_posts") && table.contains("· read_one"))
        }
    }
}
