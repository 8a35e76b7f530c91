import Foundation
import PostgresClient
import TestBasics
import TestSupport
import Testing
@testable import RehearseEngine
@testable import RehearseSupport
@testable import RehearseScenario
@testable import RehearseResults

#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    /// What happens when things go wrong under a run, through the library: terminated
    /// backends, timeouts, many connections. (The built binary's part, crashes, secrets
    /// and unreachable servers, is in the end-to-end tests.)
    @Suite("Reliability")
    struct ReliabilityTests {
        func scenario(_ yaml: String, name: String = "scenario.yaml") throws -> URL {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-rel-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let file = dir.appendingPathComponent(name)
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            return file
        }

        @Test func terminatedBackendFailsOnlyItsStep() async throws {
            let file = try scenario(
                """
                name: backend-terminated
                steps:
                  - {name: victim, sql: "SELECT pg_sleep(30)", on_error: continue}
                  - {name: next, sql: "SELECT 1"}
                faults:
                  - lock: {advisory: 7, during: victim, after: 500ms, hold: 5s}
                expect:
                  verdict: blocked
                  step_errors: {victim: "57P01"}
                """)
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            let scenario = try ScenarioLoader.load(file: file)
            let runner = Task { try await ScenarioRunner.run(scenario, options: ScenarioSuiteTests.options()) }
            // A DBA (or an OOM kill of one backend) ends the victim's session, once it runs
            // its statement and the fault holds its advisory lock (pg_stat_activity, pg_locks).
            let terminated = await poll(limit: .seconds(60)) {
                let dirs = (try? FileManager.default.contentsOfDirectory(atPath: RunDirectories.shared.runBase.path)) ?? []
                for d in dirs where d.hasPrefix("rehearse-\(getpid())-") {
                    let socket = RunDirectories.shared.runBase.appendingPathComponent(d).path
                    guard let c = try? await Connection.connect("host=\(socket) port=5432 user=postgres dbname=postgres") else { continue }
                    let r = try? await c.query(
                        """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE application_name = 'rehearse:victim' AND state = 'active' AND query LIKE '%pg_sleep(30)%'
                          AND EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND objid = 7 AND granted)
                        """)
                    await c.close()
                    if r?.scalar == "1" { return true }
                }
                return false
            }
            let doc = try await runner.value
            #expect(terminated)
            #expect(doc.expectation.met, "\(doc.expectation.mismatches)")
            let next = try #require(doc.repetitions[0].steps.first { $0.name == "next" })
            #expect(next.status == .ok)
        }

        /// A lane whose session dies (here its own backend terminates it at the 301st
        /// transaction) fails the step, but what it measured before still counts, beside
        /// the other lane's work, pipelined or not.
        @Test(arguments: [1, 4])
        func aFailedLaneKeepsWhatItMeasured(pipeline: Int) async throws {
            let doc = try await ScenarioSuiteTests.run(
                yaml: """
                    name: lane-dies
                    steps:
                      - name: load
                        on_error: continue
                        workload:
                          connections: 2
                          iterations: 2000
                          pipeline: \(pipeline)
                          transactions:
                            - name: tick
                              sql: "SELECT CASE WHEN $1 = 600 THEN pg_terminate_backend(pg_backend_pid()) END"
                              params: [{sequence: 0}]
                    """)
            let load = try #require(doc.repetitions[0].steps.first { $0.name == "load" })
            #expect(load.status == .failed)
            // Lane 0 runs the even sequence numbers: 300 before the one that ends it, that
            // one, and (pipelined) up to three sent behind it, which fail with it; lane 1
            // runs its 1000.
            #expect(load.batches >= 1301 && load.batches <= 1300 + pipeline, "\(load.batches) batches")
            let failures = load.errors.values.reduce(0, +)
            #expect(failures >= 1 && failures <= pipeline, "\(load.errors)")
            #expect(load.latencyMs != nil)
        }

        @Test func stepTimeoutCancelsTheStatement() async throws {
            let file = try scenario(
                """
                name: step-timeout
                steps:
                  - {name: slow, sql: "SELECT pg_sleep(30)", timeout: 1s}
                  - {name: skipped-after, sql: "SELECT 1"}
                expect:
                  verdict: blocked
                  step_errors: {slow: "57014"}
                """)
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            let started = ContinuousClock.now
            let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(doc.expectation.met, "\(doc.expectation.mismatches)")
            let slow = try #require(doc.repetitions[0].steps.first { $0.name == "slow" })
            #expect(slow.durationMs < 5000)
            #expect(slow.error?.message.contains("timeout") == true)
            #expect(doc.repetitions[0].steps.last?.status == .skipped)
        }

        /// A workload that would run for a minute stops at its one-second timeout, in the
        /// closed model, the open model and pipelined, and keeps what it measured.
        @Test(arguments: ["connections: 2", "rate: 200/s", "pipeline: 4"])
        func workloadStopsAtItsTimeout(_ mode: String) async throws {
            let started = ContinuousClock.now
            let doc = try await ScenarioSuiteTests.run(
                yaml: """
                    name: workload-timeout
                    steps:
                      - name: spin
                        timeout: 1s
                        workload:
                          duration: 60s
                          \(mode)
                          transactions:
                            - {name: nap, sql: "SELECT pg_sleep(0.002)"}
                    expect:
                      verdict: blocked
                      step_errors: {spin: "57014"}
                    """)
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(doc.expectation.met, "\(doc.expectation.mismatches)")
            let spin = try #require(doc.repetitions[0].steps.first { $0.name == "spin" })
            #expect(spin.durationMs < 5000)
            #expect(spin.batches > 50)
        }

        @Test func thirtyTwoConnectionsLoseNoSample() async throws {
            let file = try scenario(
                """
                name: thirty-two
                steps:
                  - {name: schema, sql: "CREATE TABLE hits (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())"}
                  - name: load
                    workload:
                      connections: 32
                      iterations: 8000
                      transactions:
                        - {name: hit, sql: "INSERT INTO hits DEFAULT VALUES"}
                checks:
                  - {name: every_batch_committed, row_count: hits, expect: 8000}
                  - {name: commits_seen, query: "SELECT xact_commit >= 8000 FROM pg_stat_database WHERE datname = current_database()", expect: "true"}
                targets:
                  load: ["batches >= 8000", "errors < 1"]
                """)
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
            #expect(doc.verdict == .approved, "\(doc.reasons)")
            let load = try #require(doc.repetitions[0].steps.first { $0.name == "load" })
            #expect(load.batches == 8000)
            #expect(load.rows == 8000)
            #expect(load.latencyMs != nil)
        }

    }
}
