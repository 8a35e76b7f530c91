import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseHistogram


extension TimedSuites {
    /// The backfill's batches against the format: retried batches are not errors, a
    /// batch that fails after its retries is one (with its latency), and `on_error`
    /// decides whether it fails the step.
    @Suite("Backfill batches")
    struct BackfillTests {
        static func scenario(onError: String, set: String = "v = 1", extra: String = "") -> String {
            """
            name: backfill-\(onError)
            steps:
              - name: schema
                sql: "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, NULL FROM generate_series(1, 500) g"
              - name: fill
                on_error: \(onError)
                backfill:
                  table: t
                  set: "\(set)"
                  where: "v IS NULL"
                  batch_size: 100
                  lock_timeout: 150ms
                  retries: 8
              - {name: after, sql: "SELECT 1"}
            \(extra)
            """
        }

        func step(_ document: ResultsDocument, _ name: String) throws -> StepResult {
            try #require(document.repetitions.first?.steps.first { $0.name == name })
        }

        /// A table locked from the step's first moment: preparing the batch's UPDATE waits
        /// for the lock too, and is retried like the batch, so the step gets through with
        /// no error once the holder lets go.
        @Test func aLockHeldFromTheStartIsWaitedOutByRetries() async throws {
            let document = try await ScenarioSuiteTests.run(
                yaml: Self.scenario(
                    onError: "stop",
                    extra: """
                        faults:
                          - lock: {table: t, mode: access_exclusive, during: fill, hold: 500ms}
                        """))
            let fill = try step(document, "fill")
            #expect(fill.status == .ok, "\(String(describing: fill.error))")
            #expect(fill.errors.isEmpty, "retried attempts are not errors: \(fill.errors)")
            #expect(fill.rows == 500)
            #expect(fill.rowsRemaining == 0)
            #expect(document.repetitions.first?.faults.first?.applied == true)
        }

        /// The walk goes on after the batch's last key in key order, not after the largest
        /// value of each key column apart: with a two-column key, (1,5) then (2,1) ended the
        /// first batch at (2,5) and left (2,2) behind. A uuid key has no max() at all. `set`
        /// names the key columns unqualified, as a user writes it.
        @Test func compositeAndUUIDKeysAreWalkedInKeyOrder() async throws {
            let document = try await ScenarioSuiteTests.run(
                yaml: """
                    name: backfill-keys
                    steps:
                      - name: schema
                        sql: |
                          CREATE TABLE pairs (a int, b int, v int, PRIMARY KEY (a, b));
                          INSERT INTO pairs VALUES (1, 5, NULL), (2, 1, NULL), (2, 2, NULL), (3, 0, NULL), (3, 9, NULL);
                          CREATE TABLE ids (id uuid PRIMARY KEY, v int);
                          INSERT INTO ids SELECT md5(g::text)::uuid, NULL FROM generate_series(1, 25) g;
                      - name: fill-pairs
                        backfill: {table: pairs, set: "v = a * 10 + b", where: "v IS NULL", batch_size: 2}
                      - name: fill-ids
                        backfill: {table: ids, set: "v = length(id::text)", where: "v IS NULL", batch_size: 10}
                    checks:
                      - {name: pairs-done, query: "SELECT count(*) FROM pairs WHERE v IS DISTINCT FROM a * 10 + b", expect: 0}
                      - {name: ids-done, query: "SELECT count(*) FROM ids WHERE v IS NULL", expect: 0}
                    """)
            for name in ["fill-pairs", "fill-ids"] {
                let fill = try step(document, name)
                #expect(fill.status == .ok, "\(name): \(String(describing: fill.error))")
                #expect(fill.rowsRemaining == 0, "\(name)")
            }
            #expect(try step(document, "fill-pairs").rows == 5)
            #expect(try step(document, "fill-ids").rows == 25)
            #expect(document.repetitions.first?.checks.map(\.passed) == [true, true])
        }

        static func heldRows(rows: Int, hold: String) -> String {
            """
            name: backfill-held-rows
            steps:
              - name: schema
                sql: "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, NULL FROM generate_series(1, \(rows)) g"
              - name: fill
                backfill: {table: t, set: "v = 1", where: "v IS NULL", batch_size: 200, pause: 5ms, skip_locked: true}
            faults:
              - lock: {table: t, rows: "id % 10 = 0", during: fill, hold: \(hold)}
            checks:
              - {name: none-null, query: "SELECT count(*) FROM t WHERE v IS NULL", expect: 0}
            """
        }

        /// A tenth of the rows held for 300 ms of a walk that takes longer (100 batches,
        /// 5 ms apart): the walk skips those it meets while they are held, and a pass over
        /// what still matches `where` finishes them. The walk alone left about 270 behind.
        @Test func rowsHeldForPartOfTheStepAreFinishedByAPass() async throws {
            let document = try await ScenarioSuiteTests.run(yaml: Self.heldRows(rows: 20_000, hold: "300ms"))
            let fill = try step(document, "fill")
            #expect(fill.status == .ok, "\(String(describing: fill.error))")
            #expect(fill.rowsRemaining == 0)
            #expect(fill.rows == 20_000)
            #expect(document.repetitions.first?.checks.map(\.passed) == [true])
            #expect(document.repetitions.first?.faults.first?.applied == true)
        }

        /// Rows held for the whole step cannot be updated at all: they are the rows left,
        /// and the pass that finds only them ends the step instead of waiting for them.
        @Test func rowsHeldForTheWholeStepAreTheRowsRemaining() async throws {
            let document = try await ScenarioSuiteTests.run(yaml: Self.heldRows(rows: 2_000, hold: "60s"))
            let fill = try step(document, "fill")
            #expect(fill.status == .ok, "\(String(describing: fill.error))")
            #expect(fill.rowsRemaining == 200)
            #expect(fill.rows == 1_800)
            #expect(document.repetitions.first?.checks.map(\.passed) == [false])
        }

        /// A `set` that leaves its rows matching `where` is not idempotent: the pass after
        /// the walk gains no ground, and the step ends there instead of going round for ever.
        @Test func aSetThatKeepsItsRowsMatchingEndsAfterOnePass() async throws {
            let document = try await ScenarioSuiteTests.run(
                yaml: """
                    name: backfill-not-idempotent
                    steps:
                      - name: schema
                        sql: "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL DEFAULT 0); INSERT INTO t SELECT g FROM generate_series(1, 300) g"
                      - name: fill
                        backfill: {table: t, set: "v = v + 1", where: "v >= 0", batch_size: 100, skip_locked: true}
                    checks:
                      - {name: twice, query: "SELECT count(*) FROM t WHERE v = 2", expect: 300}
                    """)
            let fill = try step(document, "fill")
            #expect(fill.status == .ok, "\(String(describing: fill.error))")
            #expect(fill.rows == 600)
            #expect(fill.rowsRemaining == 300)
            #expect(document.repetitions.first?.checks.map(\.passed) == [true])
        }

        /// Batch 2 (ids 101-200) divides by zero at id 150. Stopping, the step fails with
        /// 22012 and one error; continuing, it steps over that batch and leaves its rows.
        @Test(arguments: ["stop", "continue"])
        func aBatchThatFailsFollowsOnError(_ onError: String) async throws {
            let document = try await ScenarioSuiteTests.run(
                yaml: Self.scenario(onError: onError, set: "v = 1 / (t.id - 150)"))
            let fill = try step(document, "fill")
            #expect(fill.errors == ["22012": 1])
            if onError == "stop" {
                #expect(fill.status == .failed)
                #expect(fill.error?.sqlstate == "22012")
                #expect(fill.rows == 100)
                #expect(fill.rowsRemaining == 400)
                #expect(try step(document, "after").status == .skipped)
            } else {
                #expect(fill.status == .ok, "\(String(describing: fill.error))")
                #expect(fill.rows == 400)
                #expect(fill.rowsRemaining == 100)
                #expect(try step(document, "after").status == .ok)
            }
            // The failed batch is a batch with a latency, like the others.
            let latency = try #require(fill.latencyMs)
            #expect(latency.max > 0)
            #expect(fill.batches == (onError == "stop" ? 2 : 6))
        }
    }
}
