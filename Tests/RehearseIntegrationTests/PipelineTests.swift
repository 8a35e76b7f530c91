import Foundation
import PostgresClient
import TestSupport
import Testing
@testable import RehearseResults
@testable import RehearseEngine

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
            #expect(load.status == .ok, "\(String(describing: load.error))")
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

        /// In the open model a pipelined lane keeps the global schedule: rate × duration
        /// transactions are due and they run, never more. As with pgbench -T, what is still
        /// due when the duration is over is not sent after it, so a machine busy with other
        /// work may leave the last few; lateness that accumulated would leave far more.
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
            #expect(load.status == .ok)
            #expect((950...1000).contains(load.batches), "\(load.batches) of 1000 due")
            #expect(load.errors.isEmpty)
        }

        /// At a step timeout a pipelined lane sends nothing more and cancels, one after
        /// the other, the transactions it has in flight: eight two-second statements
        /// end within moments of the timeout, not sixteen seconds later.
        @Test func timeoutCancelsEveryTransactionInFlight() async throws {
            let started = ContinuousClock.now
            let doc = try await run(
                """
                name: pipelined-timeout
                steps:
                  - name: slow
                    timeout: 1s
                    workload:
                      duration: 60s
                      pipeline: 8
                      transactions:
                        - {name: nap, sql: "SELECT pg_sleep(2)"}
                expect:
                  verdict: blocked
                  step_errors: {slow: "57014"}
                """)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(doc.expectation.met, "\(doc.expectation.mismatches)")
            let slow = try #require(doc.repetitions[0].steps.first { $0.name == "slow" })
            #expect(slow.durationMs < 3000, "the step took \(slow.durationMs) ms")
            // The eight in flight, each cancelled on the server and counted as such.
            #expect(slow.batches == 8)
            #expect(slow.errors == ["57014": 8])
        }

        /// A column added under a running workload invalidates its prepared `SELECT *`
        /// (0A000 "cached plan must not change result type"). The driver prepares again
        /// and retries, as pgx and JDBC do, pipelined or not: the application sees no
        /// error. The test first shows that the server does raise 0A000 here.
        @Test(arguments: [1, 4])
        func schemaChangeUnderPreparedStatementsIsRetried(pipeline: Int) async throws {
            try await withTestServer { db in
                let probe = try await db.connect()
                _ = try await probe.execute("CREATE TABLE wide (id int PRIMARY KEY, v int)")
                let raised = try await probe.withSession { session -> PostgresError? in
                    try session.prepare("probe", "SELECT * FROM wide WHERE id = $1", parameterCount: 1)
                    _ = try session.execute("ALTER TABLE wide ADD COLUMN extra int")
                    do {
                        let params = ParameterBuffer(capacity: 1)
                        params.append(1)
                        _ = try session.executePrepared("probe", params)
                        return nil
                    } catch {
                        return error as? PostgresError
                    }
                }
                await probe.close()
                #expect(raised?.invalidatesCachedPlan == true, "\(String(describing: raised))")

                let doc = try await run(
                    """
                    name: replan-\(pipeline)
                    steps:
                      - name: schema
                        sql: |
                          CREATE TABLE t (id int PRIMARY KEY, v int);
                          INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
                      - name: reads
                        background: true
                        until: after
                        workload:
                          connections: 2
                          pipeline: \(pipeline)
                          transactions:
                            - {name: read, sql: "SELECT * FROM t WHERE id = $1", params: [{random_int: [1, 100]}]}
                      - {name: before, sql: "SELECT pg_sleep(0.3)"}
                      - {name: widen, sql: "ALTER TABLE t ADD COLUMN extra int"}
                      - {name: after, sql: "SELECT pg_sleep(0.3)"}
                    """)
                let reads = try #require(doc.repetitions[0].steps.first { $0.name == "reads" })
                #expect(reads.status == .ok, "\(String(describing: reads.error))")
                #expect(reads.errors.isEmpty, "\(reads.errors)")
                #expect(reads.batches > 1000)
            }
        }
    }
}
