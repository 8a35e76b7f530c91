import Foundation
import PostgresClient
import TestBasics
import TestSupport
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseSupport

extension TimedSuites {
    /// Load slices: separate `rehearse` processes drive shares of one workload against one real
    /// server, start together at the barrier, and merge into the workload one machine would
    /// have driven; a slice whose peers never come fails, in bounded time, with exit 3. Timed:
    /// the slices' start times are compared, so the suite runs alone among the timed ones.
    @Suite("Load slices, end to end")
    struct LoadSliceTests {
        static let binary = Repository.rehearseBinary

        /// Inserts a row per transaction, so the server itself counts what the slices did together.
        static let scenario = """
            name: sliced
            steps:
              - name: schema
                sql: "CREATE TABLE hits (lane int); CREATE TABLE clients (id int)"
              - name: reads
                background: true
                until: traffic
                workload:
                  connections: 2
                  rate: 200/s
                  transactions:
                    - name: read
                      sql: "SELECT count(*) FROM hits"
              - name: traffic
                workload:
                  connections: 4
                  iterations: 3001
                  transactions:
                    - name: hit
                      sql: "INSERT INTO hits VALUES ($1)"
                      params: [{random_int: [1, 100]}]
              - name: clients
                workload:
                  connections: 4
                  iterations: 8
                  transactions:
                    - name: client
                      pgbench: client.sql
            checks:
              - name: every_hit
                row_count: hits
                expect: 3001
              - name: client_ids_0_to_3
                query: "SELECT string_agg(DISTINCT id::text, ',' ORDER BY id::text) FROM clients"
                expect: "0,1,2,3"
            targets:
              traffic: ["error_rate < 1%"]
            """

        func folder() throws -> URL {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-slices-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Self.scenario.write(to: dir.appendingPathComponent("sliced.yaml"), atomically: false, encoding: .utf8)
            // `:client_id` of each lane, as on one machine: the slices' lanes 0 to 3 together.
            try "INSERT INTO clients VALUES (:client_id);\n".write(
                to: dir.appendingPathComponent("client.sql"), atomically: false, encoding: .utf8)
            return dir
        }

        func rehearse(_ arguments: [String]) async throws -> (Int32, String) {
            try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the executable first")
            let (termination, output) = try await ChildProcess.run([Self.binary.path] + arguments)
            return (termination.exitCode, output)
        }

        @Test(arguments: [2, 4])
        func slicesMergeIntoTheWholeWorkload(slices: Int) async throws {
            let dir = try folder()
            defer { try? FileManager.default.removeItem(at: dir) }
            try await withTestServer { db in
                let url = db.server.conninfo(database: "postgres")
                let runID = "e2e\(slices)"
                let outcomes = try await withThrowingTaskGroup(of: (Int, Int32, String).self) { group in
                    for index in 1...slices {
                        group.addTask {
                            let (code, output) = try await rehearse([
                                "run", dir.appendingPathComponent("sliced.yaml").path, "--server", url, "--load-slice",
                                "\(index)/\(slices)",
                                "--run-id", runID, "--slice-timeout", "120", "--out", dir.appendingPathComponent("slices").path,
                            ])
                            return (index, code, output)
                        }
                    }
                    var all: [(Int, Int32, String)] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
                for (index, code, output) in outcomes { #expect(code == 0, "slice \(index): \(output)") }
                let parts = try ResultsLoader.load(dir.appendingPathComponent("slices").path)
                #expect(parts.count == slices)
                // Each slice ran its lanes' share of the iterations (4 lanes, 3001 iterations).
                let shares = parts.sorted { ($0.loadSlice?.index ?? 0) < ($1.loadSlice?.index ?? 0) }.map {
                    $0.repetitions.first?.steps.first { $0.name == "traffic" }?.batches ?? 0
                }
                #expect(shares == (slices == 2 ? [1501, 1500] : [751, 750, 750, 750]))
                // They started together: the lanes' start times within 250 ms of each other
                // (the barrier; on a quiet machine within 1 ms, Benchmarks/load-slices.sh, but a
                // loaded one may not schedule a released process for tens of milliseconds).
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let starts = parts.compactMap { $0.repetitions.first?.steps.first { $0.name == "traffic" }?.startedAt }.compactMap(
                    formatter.date)
                #expect(starts.count == slices)
                if let first = starts.min(), let last = starts.max() { #expect(last.timeIntervalSince(first) < 0.25, "\(starts)") }
                #expect(parts.allSatisfy { $0.verdict == .blocked && $0.reasons.first?.contains("judged only when merged") == true })

                let merged = dir.appendingPathComponent("merged")
                let (code, output) = try await rehearse(["merge", dir.appendingPathComponent("slices").path, "--out", merged.path])
                #expect(code == 0, "\(output)")
                let document = try #require(try ResultsLoader.load(merged.path).first)
                let traffic = try #require(document.repetitions.first?.steps.first { $0.name == "traffic" })
                #expect(traffic.batches == 3001)
                #expect(traffic.transactions?["hit"]?.batches == 3001)
                #expect(document.summary.steps["traffic"]?.batches == 3001)
                // The background workload: each slice with lanes drove its share until slice 1 stopped it.
                let reads = parts.map { $0.repetitions.first?.steps.first { $0.name == "reads" }?.batches ?? 0 }
                #expect(reads.filter { $0 > 0 }.count == min(slices, 2), "\(reads)")
                #expect(document.repetitions.first?.steps.first { $0.name == "reads" }?.batches == reads.reduce(0, +))
                // Slice 1 checked after every slice was done: the server has all 3001 rows.
                #expect(document.repetitions.first?.checks.first { $0.name == "every_hit" }?.passed == true)
                #expect(document.repetitions.first?.checks.first { $0.name == "client_ids_0_to_3" }?.passed == true)
                #expect(document.summary.steps["clients"]?.batches == 8)
                #expect(document.verdict == .approved)
                #expect(document.expectation.met)
                #expect(document.mergedFrom?.compactMap(\.loadSlice).sorted() == (1...slices).map { "\($0)/\(slices)" })
                // Slice 1 dropped the run's databases when all were done.
                let connection = try await db.connect()
                let left = try await connection.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'rehearse\\_%'").scalar
                await connection.close()
                #expect(left == "0")
            }
        }

        /// Snapshots close the database's sessions while they copy it, and a rollback by restore
        /// replaces the database: the other slice's sessions are never in their way.
        @Test func slicesGetOutOfTheWayOfSnapshotsAndARestore() async throws {
            let dir = try folder()
            defer { try? FileManager.default.removeItem(at: dir) }
            let yaml = """
                name: snapshots
                steps:
                  - name: schema
                    sql: "CREATE TABLE t (n int)"
                  - name: before
                    snapshot: before
                  - name: load
                    workload:
                      connections: 2
                      iterations: 400
                      transactions:
                        - name: ins
                          sql: "INSERT INTO t VALUES ($1)"
                          params: [{random_int: [1, 9]}]
                  - name: between
                    snapshot: between
                  - name: more
                    workload:
                      connections: 2
                      iterations: 400
                      transactions:
                        - name: ins
                          sql: "INSERT INTO t VALUES ($1)"
                          params: [{random_int: [1, 9]}]
                checks:
                  - name: rows
                    row_count: t
                    expect: 800
                rollback:
                  when: always
                  via: restore
                  to: before
                  verify: [schema, data]
                """
            let file = dir.appendingPathComponent("snapshots.yaml")
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            try await withTestServer { db in
                let url = db.server.conninfo(database: "postgres")
                let codes = try await withThrowingTaskGroup(of: (Int32, String).self) { group in
                    for index in 1...2 {
                        group.addTask {
                            try await rehearse([
                                "run", file.path, "--server", url, "--load-slice", "\(index)/2", "--run-id", "snaps", "--slice-timeout",
                                "120",
                                "--out", dir.appendingPathComponent("slices").path,
                            ])
                        }
                    }
                    var all: [(Int32, String)] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
                for (code, output) in codes { #expect(code == 0, "\(output)") }
                let merged = dir.appendingPathComponent("merged")
                let (code, output) = try await rehearse(["merge", dir.appendingPathComponent("slices").path, "--out", merged.path])
                #expect(code == 0, "\(output)")
                let document = try #require(try ResultsLoader.load(merged.path).first)
                #expect(document.verdict == .approved, "\(document.reasons)")
                #expect(document.repetitions.first?.checks.first { $0.name == "rows" }?.passed == true)
                #expect(document.repetitions.first?.rollback.status == .passed)
                #expect(document.summary.steps["load"]?.batches == 400)
                #expect(document.summary.steps["more"]?.batches == 400)
            }
        }

        @Test func aSliceWhosePeersNeverComeFailsInBoundedTime() async throws {
            let dir = try folder()
            defer { try? FileManager.default.removeItem(at: dir) }
            try await withTestServer { db in
                let url = db.server.conninfo(database: "postgres")
                let file = dir.appendingPathComponent("sliced.yaml").path
                let clock = ContinuousClock()
                // Slice 2 without slice 1: its database never appears.
                var began = clock.now
                let (lonely, lonelyOutput) = try await rehearse([
                    "run", file, "--server", url, "--load-slice", "2/2", "--run-id", "alone", "--slice-timeout", "2", "--out", dir.path,
                ])
                #expect(lonely == 3, "\(lonelyOutput)")
                #expect(lonelyOutput.contains("load slice 2/2 of run alone: the repetition database"), "\(lonelyOutput)")
                #expect(clock.now - began < .seconds(60))
                // Slice 1 without slice 2: it waits at the workload's start, then gives up and cleans up.
                began = clock.now
                let (leader, leaderOutput) = try await rehearse([
                    "run", file, "--server", url, "--load-slice", "1/2", "--run-id", "alone", "--slice-timeout", "2", "--out", dir.path,
                ])
                #expect(leader == 3, "\(leaderOutput)")
                #expect(
                    leaderOutput.contains("waited 2 s at the start of workload 'traffic'") && leaderOutput.contains("for slice 2"),
                    "\(leaderOutput)")
                #expect(clock.now - began < .seconds(60))
                let connection = try await db.connect()
                let left = try await connection.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'rehearse\\_%'").scalar
                await connection.close()
                #expect(left == "0")
            }
        }
    }
}
