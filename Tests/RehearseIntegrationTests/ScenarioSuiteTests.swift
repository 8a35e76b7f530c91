import Foundation
import TestBasics
import TestSupport
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseHistogram

extension TimedSuites {
    /// The example suite in scenarios/ is also the end-to-end test: every scenario
    /// runs for real on an embedded server and must meet its own `expect`.
    @Suite("Example scenarios end to end")
    struct ScenarioSuiteTests {
        static let root = Repository.root
        static let scenarios = Repository.scenarios

        static var files: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: scenarios.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        }

        static func options() -> RunOptions {
            var options = RunOptions()
            options.writeResults = false
            options.stepTimeout = .seconds(120)
            return options
        }

        /// Writes `yaml` to a scenario file of its own, runs it on an embedded server, and removes the file.
        static func run(yaml: String, options: RunOptions = options()) async throws -> ResultsDocument {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-yaml-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("scenario.yaml")
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            return try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: options)
        }

        @Test(arguments: files)
        func meetsItsExpectation(_ name: String) async throws {
            let scenario = try ScenarioLoader.load(file: Self.scenarios.appendingPathComponent(name))
            let document = try await ScenarioRunner.run(scenario, options: Self.options())
            #expect(document.expectation.met, "\(name): \(document.expectation.mismatches) reasons: \(document.reasons)")
            #expect(document.environment.server == .embedded)
            // The document survives a round trip through its JSON form.
            let data = try ResultsCoding.encoder().encode(document)
            let decoded = try ResultsCoding.decoder().decode(ResultsDocument.self, from: data)
            #expect(decoded.scenario.sha256 == document.scenario.sha256)
            #expect(decoded.repetitions.count == document.repetitions.count)
        }

        /// `until` may name another background step: the workload stops when that one
        /// does (it has finished then), here at the end of `deploy`, not at the last step.
        @Test func untilABackgroundStepStopsWithIt() async throws {
            let document = try await Self.run(
                yaml: """
                    name: chained-traffic
                    steps:
                      - name: traffic
                        background: true
                        until: side
                        workload: {rate: 50/s, transactions: [{sql: "SELECT 1"}]}
                      - name: side
                        background: true
                        until: deploy
                        workload: {rate: 50/s, transactions: [{sql: "SELECT 1"}]}
                      - {name: deploy, sql: "SELECT pg_sleep(0.3)"}
                      - {name: after, sql: "SELECT pg_sleep(1)"}
                    """)
            let steps = Dictionary(uniqueKeysWithValues: try #require(document.repetitions.first).steps.map { ($0.name, $0) })
            let deploy = try #require(steps["deploy"])
            let deployEnd = try #require(deploy.startedMs) + deploy.durationMs
            let after = try #require(steps["after"])
            #expect(after.impact == nil, "nothing runs beside `after`")
            #expect(deploy.impact != nil)
            for name in ["traffic", "side"] {
                let bg = try #require(steps[name])
                let end = try #require(bg.startedMs) + bg.durationMs
                #expect(end >= deployEnd && end < deployEnd + 500, "\(name) ended at \(end) ms, deploy at \(deployEnd) ms")
            }
        }

        /// A transaction that waits 300 ms and then fails is a 300 ms batch: failed
        /// transactions are in the latencies, so a `max` target sees the stall.
        @Test func failedTransactionsCountInTheLatencies() async throws {
            let document = try await Self.run(
                yaml: """
                    name: slow-failures
                    steps:
                      - name: work
                        workload:
                          connections: 1
                          iterations: 4
                          transactions:
                            - {name: stall, sql: "SELECT 1 / (extract(epoch FROM clock_timestamp()) * 0)::int FROM pg_sleep(0.3)"}
                    targets:
                      work: ["max < 200ms", "batches >= 4"]
                    """)
            let work = try #require(document.repetitions.first?.steps.first { $0.name == "work" })
            #expect(work.batches == 4)
            #expect(work.errors == ["22012": 4])
            #expect(try #require(work.latencyMs?.p50) >= 300)
            #expect(try #require(work.transactions?["stall"]?.latencyMs?.max) >= 300)
            let targets = try #require(document.repetitions.first?.targets)
            #expect(targets.map(\.passed) == [false, true])
        }

        /// Every fault appears in the results: a lock `during` a background workload is
        /// held while the workload runs (and its transactions wait on it); a lock tied to a
        /// step that never ran is there as not applied, with the reason.
        @Test func lockFaultsOnBackgroundAndSkippedSteps() async throws {
            let document = try await Self.run(
                yaml: """
                    name: fault-placement
                    steps:
                      - {name: schema, sql: "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"}
                      - name: traffic
                        background: true
                        until: wait
                        workload: {connections: 1, rate: 50/s, transactions: [{sql: "SELECT count(*) FROM t"}]}
                      - {name: wait, sql: "SELECT pg_sleep(1)"}
                      - {name: boom, sql: "SELECT 1 / 0"}
                      - {name: never, sql: "SELECT 1"}
                    faults:
                      - lock: {table: t, mode: access_exclusive, during: traffic, after: 200ms, hold: 300ms}
                      - lock: {table: t, mode: share, during: never}
                    expect: {verdict: blocked}
                    """)
            let faults = try #require(document.repetitions.first?.faults)
            let onTraffic = try #require(faults.first { $0.during == "traffic" })
            #expect(onTraffic.applied)
            let waited = try #require(onTraffic.observed["sessions_waited"])
            #expect(waited != .number(0), "the workload's session waited on the lock: \(onTraffic.observed)")
            let onNever = try #require(faults.first { $0.during == "never" })
            #expect(!onNever.applied)
            #expect(onNever.reason?.contains("did not run") == true)
        }

        /// With `--server` there is no server to configure: `database.settings` go on each
        /// repetition's database, and one only a server takes is left out with a note.
        @Test func externalModeSetsDatabaseSettingsOnItsDatabases() async throws {
            try await withTestServer { db in
                var options = Self.options()
                options.server = db.server.conninfo(database: "postgres")
                let document = try await Self.run(
                    yaml: """
                        name: external-settings
                        repeat: 2
                        database:
                          settings: {work_mem: 12288kB, shared_buffers: 64MB, search_path: "app, public", role: pg_monitor}
                        steps:
                          - {name: one, sql: "SELECT 1"}
                        checks:
                          - {name: work-mem, query: "SELECT current_setting('work_mem')", expect: 12MB}
                          - {name: search-path-is-a-list, query: "SELECT current_schemas(false)::text", expect: "{public}"}
                          - {name: role-set, query: "SELECT current_user", expect: pg_monitor}
                        """, options: options)
                #expect(document.environment.server == .external)
                // As PostgreSQL shows it, as the embedded server's results do.
                #expect(document.environment.settings["work_mem"] == "12MB")
                #expect(document.environment.settings["shared_buffers"] != "64MB")
                #expect(document.repetitions.count == 2)
                for repetition in document.repetitions {
                    #expect(repetition.checks.map(\.passed) == [true, true, true], "\(repetition.checks)")
                }
            }
        }

        /// A lock `during` a background workload lasts as long as the workload: when it
        /// ends by itself (its iterations done) before its `until` step, the lock goes too,
        /// and the steps after it do not wait for a holder of a workload that is over.
        @Test func aBackgroundWorkloadsLockEndsWithIt() async throws {
            let document = try await Self.run(
                yaml: """
                    name: lock-ends-with-workload
                    steps:
                      - {name: schema, sql: "CREATE TABLE t (id int)"}
                      - name: traffic
                        background: true
                        until: deploy
                        workload: {connections: 1, rate: 100/s, iterations: 20, transactions: [{sql: "SELECT 1"}]}
                      - {name: wait, sql: "SELECT pg_sleep(0.6)"}
                      - {name: deploy, timeout: 5s, sql: "SELECT count(*) FROM t"}
                    faults:
                      - lock: {table: t, mode: access_exclusive, during: traffic}
                    """)
            let deploy = try #require(document.repetitions.first?.steps.first { $0.name == "deploy" })
            #expect(deploy.status == .ok, "\(String(describing: deploy.error))")
            #expect(document.repetitions.first?.faults.first?.applied == true)
        }

        /// Traffic stuck behind the lock held `during` it: when its `until` step ends, the
        /// lock goes first and the traffic drains (it used to wait on the lock, which waited
        /// for the traffic, for good). Its own `timeout:` bounds the test if that comes back.
        @Test func trafficBehindItsOwnLockStopsWhenItsStepEnds() async throws {
            let document = try await Self.run(
                yaml: """
                    name: traffic-behind-its-lock
                    steps:
                      - {name: schema, sql: "CREATE TABLE t (id int); INSERT INTO t VALUES (1)"}
                      - name: traffic
                        background: true
                        until: deploy
                        timeout: 20s
                        workload: {connections: 1, rate: 50/s, transactions: [{sql: "SELECT count(*) FROM t"}]}
                      - {name: deploy, sql: "SELECT pg_sleep(0.5)"}
                    faults:
                      - lock: {table: t, mode: access_exclusive, during: traffic, after: 100ms}
                    """)
            let steps = try #require(document.repetitions.first?.steps)
            let traffic = try #require(steps.first { $0.name == "traffic" })
            #expect(traffic.status == .ok, "\(String(describing: traffic.error))")
            #expect(traffic.durationMs < 15_000, "stopped by its own timeout, not its step: \(traffic.durationMs) ms")
            #expect(traffic.batches > 0)
            #expect(document.repetitions.first?.faults.first?.applied == true)
        }

    }
}
