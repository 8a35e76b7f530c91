import Foundation
import Testing

@testable import Rehearse

extension TimedSuites {
    /// Workloads in libpq pipeline mode (`pipeline: N`) against a real server.
    @Suite("Pipelined workloads")
    struct PipelineTests {
        func run(_ yaml: String) async throws -> ResultsDocument {
            try await ScenarioSuiteTests.run(yaml: yaml)
        }

        /// Each transaction is the implicit transaction between two syncs: when its
        /// INSERT fails on a duplicate key, its UPDATE (sent before it) is rolled back,
        /// and the transactions queued behind it still run. Every transaction is
        /// accounted for, as a success or an error.
        @Test func failedTransactionsRollBackAloneAndAllAreCounted() async throws {
            let doc = try await run(
                """
                name: pipelined-ledger
                steps:
                  - name: schema
                    sql: |
                      CREATE TABLE ledger (k int PRIMARY KEY);
                      CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);
                      INSERT INTO counter VALUES (1, 0);
                  - name: load
                    workload:
                      connections: 3
                      iterations: 3000
                      pipeline: 16
                      transactions:
                        - name: book
                          sql: |
                            BEGIN;
                            UPDATE counter SET n = n + 1 WHERE id = 1;
                            INSERT INTO ledger VALUES ($1);
                            COMMIT;
                          params: [{random_int: [1, 2500]}]
                checks:
                  - name: updates_match_inserts
                    query: "SELECT (SELECT n FROM counter) = (SELECT count(*) FROM ledger)"
                    expect: "true"
                  - {name: ledger_rows, query: "SELECT count(*) FROM ledger", expect: "0"}
                """)
            let load = try #require(doc.repetitions[0].steps.first { $0.name == "load" })
            #expect(load.status == "ok", "\(String(describing: load.error))")
            #expect(load.batches == 3000)
            let duplicates = load.errors["23505"] ?? 0
            #expect(duplicates > 100, "random keys in 1...2500 must collide often in 3000 inserts")
            #expect(load.errors.keys.sorted() == ["23505"])
            let checks = doc.repetitions[0].checks
            #expect(checks.first { $0.name == "updates_match_inserts" }?.passed == true)
            // The ledger holds exactly the successful transactions (the check's "0" is only there to print the count).
            let actual = try #require(checks.first { $0.name == "ledger_rows" }?.actual)
            var kept: Int?
            switch actual {
            case .string(let text): kept = Int(text)
            case .number(let n): kept = Int(n)
            default: break
            }
            #expect(kept == 3000 - duplicates)
            #expect(load.rows == 2 * (3000 - duplicates))
            #expect(load.latencyMs != nil)
        }

        /// In the open model a pipelined lane keeps the global schedule: exactly
        /// rate × duration transactions are due and every one of them runs.
        @Test func openModelKeepsTheSchedule() async throws {
            let doc = try await run(
                """
                name: pipelined-open
                steps:
                  - name: load
                    workload:
                      connections: 2
                      rate: 500/s
                      duration: 2s
                      pipeline: 4
                      transactions:
                        - {name: read, sql: "SELECT $1::int", params: [{random_int: [1, 9]}]}
                """)
            let load = try #require(doc.repetitions[0].steps.first { $0.name == "load" })
            #expect(load.status == "ok")
            #expect(load.batches == 1000)
            #expect(load.errors.isEmpty)
        }
    }
}
