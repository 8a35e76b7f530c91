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
    /// The built binary signalled while a seed loads over several streams.
    @Suite("Parallel seed interrupted")
    struct SeedInterruptTests {
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
