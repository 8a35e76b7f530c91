import Foundation
import PostgresClient
import Testing
@testable import RehearseEngine
@testable import RehearseScenario
@testable import RehearseResults
@testable import RehearseSupport


#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    @Suite("pg_dump files, interruptions")
    struct PagilaAndInterruptTests {
        static let root = ScenarioSuiteTests.root
        static let pagila = SQLScriptTests.pagila

        func temporaryScenario(_ yaml: String) throws -> URL {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-scn-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let file = dir.appendingPathComponent("scenario.yaml")
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            return file
        }

        @Test func loadsPagilaAsPsqlWould() async throws {
            let file = try temporaryScenario(
                """
                name: pagila
                steps:
                  - name: schema
                    sql: {file: \(Self.pagila.path)/pagila-schema.sql}
                  - name: data
                    sql: {file: \(Self.pagila.path)/pagila-data.sql}
                  - snapshot: loaded
                checks:
                  - {name: rentals, row_count: public.rental, expect: 16044}
                  - {name: films, query: "SELECT count(*) FROM film", expect: {">=": 1000}}
                  - name: payment_partition_constraint
                    query: "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (1, 1, 1, 1.0, '1999-01-01')"
                    expect_error: "23514"
                """)
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            let scenario = try ScenarioLoader.load(file: file)
            var options = ScenarioSuiteTests.options()
            options.writeResults = false
            let doc = try await ScenarioRunner.run(scenario, options: options)
            #expect(doc.verdict == .approved, "\(doc.reasons)")
            let data = try #require(doc.repetitions[0].steps.first { $0.name == "data" })
            #expect(data.batches > 15)
            #expect(data.rows > 40_000)
        }

        @Test func psqlMetaCommandIsAnErrorNamingTheLine() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-meta-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try "CREATE TABLE a (id int);\n\\set x 1\n".write(
                to: dir.appendingPathComponent("meta.sql"), atomically: false, encoding: .utf8)
            try "name: meta\nsteps: [{name: load, sql: {file: meta.sql}}]\nexpect: {verdict: blocked}\n".write(
                to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
            let doc = try await ScenarioRunner.run(
                try ScenarioLoader.load(file: dir.appendingPathComponent("s.yaml")), options: ScenarioSuiteTests.options())
            let step = try #require(doc.repetitions[0].steps.first)
            #expect(step.status == .failed)
            #expect(step.error?.message.contains("meta.sql:2:1") == true)
        }

        /// SIGINT in the middle of a held lock: exit 130, an interrupted results document,
        /// and no server, folder or lock holder left behind.
        @Test(arguments: [SIGINT, SIGTERM])
        func interruptLeavesNothingBehind(_ sig: Int32) async throws {
            let run = try HostileRun.start([
                "scenario.yaml": """
                name: interrupted
                steps:
                  - {name: schema, sql: "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"}
                  - name: traffic
                    background: true
                    workload:
                      connections: 2
                      rate: 50/s
                      transactions: [{sql: "SELECT count(*) FROM t"}]
                  - {name: wait, sql: "LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)"}
                faults:
                  - lock: {table: t, mode: share, during: wait, hold: 60s, idle_in_transaction: true}
                """
            ])
            defer { run.remove() }
            // Signalled once the step runs (copying the cluster alone can take seconds on a loaded machine):
            // its LOCK TABLE, sent on its own since locks are read after each statement, waits on the fault.
            #expect(await run.waitForStatement(containing: "LOCK TABLE t IN ACCESS EXCLUSIVE"), "\(run.output)")
            run.child.signal(sig)
            let (code, _) = await run.finish(since: .now)
            #expect(code == 128 + sig)
            #expect(try await run.leftovers().isEmpty, "a folder or server of the run is still there")
            let doc = try run.document()
            #expect(doc.interrupted == true)
            #expect(doc.expectation.met == false)
            // The step says it was interrupted, not that it ran past its timeout.
            let wait = doc.repetitions.first?.steps.first { $0.name == "wait" }
            #expect(wait?.error?.message.contains("the run was interrupted") == true, "\(String(describing: wait?.error))")
        }
    }
}
