import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults


extension TimedSuites {
    /// Work counters on a real server: the same deploy writes the same WAL every time, and a
    /// deploy that starts rewriting a 200k-row table is caught by its WAL with one repetition.
    @Suite("Work counters on real runs")
    struct WorkCounterTests {
        func run(deploy: String, background: Bool = false) async throws -> ResultsDocument {
            let traffic =
                background
                ? """
                  - name: traffic
                    background: true
                    until: deploy
                    workload:
                      connections: 1
                      duration: 1s
                      transactions:
                        - {name: touch, sql: "UPDATE items SET v = v WHERE id = 1"}
                """ : ""
            return try await ScenarioSuiteTests.run(
                yaml: """
                    name: rewrite
                    repeat: 1
                    steps:
                      - name: setup
                        sql: "CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL); INSERT INTO items SELECT g, g FROM generate_series(1, 200000) g"
                    \(traffic)
                      - name: deploy
                        sql: "\(deploy)"
                    """)
        }

        func work(_ doc: ResultsDocument, _ step: String) throws -> WorkCounters {
            try #require(doc.repetitions.first?.steps.first { $0.name == step }?.work)
        }

        @Test func aTableRewriteIsCaughtByItsWALWithOneRepetition() async throws {
            let add = try await run(deploy: "ALTER TABLE items ADD COLUMN note text")
            let again = try await run(deploy: "ALTER TABLE items ADD COLUMN note text")
            let rewrite = try await run(deploy: "ALTER TABLE items ALTER COLUMN v TYPE bigint")

            let setup = try work(add, "setup")
            // 200k rows and their index: about 26 MB of WAL, every row counted (and the catalog's few), all the step's own.
            #expect(setup.attributed && (200_000..<200_100).contains(setup.rows) && (setup.walBytes ?? 0) > 5_000_000, "\(setup)")
            let same = try work(again, "setup")
            #expect(setup.walBytes == same.walBytes && setup.rows == same.rows, "the same statements write the same WAL")
            // Whether a page is still in shared buffers varies a little (a few percent).
            #expect(abs(Double(setup.sharedBlksHit - same.sharedBlksHit)) < 0.05 * Double(setup.sharedBlksHit))
            let small = try work(add, "deploy"), big = try work(rewrite, "deploy")
            #expect((small.walBytes ?? 0) < 100_000 && (big.walBytes ?? 0) > 5_000_000, "\(small) \(big)")

            #expect(!Comparator().compare(baseline: add, current: again).hasRegression)
            let report = Comparator().compare(baseline: add, current: rewrite)
            let finding = try #require(report.findings.first { $0.step == "deploy" })
            #expect(finding.verdict == .regressed && finding.metric == "wal_bytes", "\(finding.reason)")
            #expect(finding.reason.hasPrefix("wal_bytes +"))
            #expect(report.findings.filter { $0.verdict == .regressed }.count == 1)
        }

        @Test func trafficBesideAStepMakesItsCountersUnattributed() async throws {
            let doc = try await run(deploy: "ALTER TABLE items ADD COLUMN note text", background: true)
            #expect(try work(doc, "deploy").attributed == false)
            #expect(try work(doc, "setup").attributed)
            #expect(doc.repetitions[0].steps.first { $0.name == "traffic" }?.work == nil)
        }
    }
}
