import Foundation
import PostgresClient
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseResults

#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    /// The built binary signalled in the middle of a run: exit 128 + the signal, an
    /// interrupted results document, and nothing of the run left behind.
    @Suite("Interruptions")
    struct InterruptTests {
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

        /// SIGINT while two streams COPY: exit 130, an interrupted document whose seed step
        /// says so, and no server, folder or process of the run left.
        @Test func anInterruptInTheMiddleOfAParallelSeedLeavesNothingBehind() async throws {
            var big = "id,name,note\n"
            big.reserveCapacity(40 << 20)
            for id in 1...1_000_000 { big += "\(id),\"name \(id), with a comma\",note-\(id)\n" }
            let run = try HostileRun.start([
                "scenario.yaml": """
                name: interrupted-seed
                steps:
                  - {name: schema, sql: "CREATE TABLE t (id int PRIMARY KEY, name text, note text); CREATE INDEX ON t (note)"}
                  - name: load
                    seed: [{table: t, csv: big.csv, streams: 2, chunk_rows: 2000}]
                """,
                "big.csv": big,
            ])
            defer { run.remove() }
            // Signalled once both streams are inside a COPY at the same moment.
            let both = await run.poll {
                guard let folder = run.serverFolder else { return false }
                let conninfo = "host=\(folder.path) port=\(EmbeddedServer.port) user=postgres dbname=postgres"
                guard let probe = try? await Connection.connect(conninfo, label: "rehearse-test-probe") else { return false }
                let count = try? await probe.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY t %' AND state = 'active'"
                ).scalar
                await probe.close()
                return (count.flatMap { Int($0) } ?? 0) >= 2
            }
            #expect(both, "two streams never ran a COPY together: \(run.output)")
            run.child.signal(SIGINT)
            let (code, _) = await run.finish(since: .now)
            #expect(code == 128 + SIGINT)
            #expect(try await run.leftovers().isEmpty, "a folder or server of the run is still there")
            let doc = try run.document()
            #expect(doc.interrupted == true)
            let load = doc.repetitions.first?.steps.first { $0.name == "load" }
            #expect(load?.status == .failed)
            #expect(load?.error?.message.contains("the run was interrupted") == true, "\(String(describing: load?.error))")
        }
    }
}
