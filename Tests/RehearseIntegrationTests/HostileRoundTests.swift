import Foundation
import PostgresClient
import TestBasics
import TestSupport
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport

/// The README's promises for when things go wrong, where the library keeps them (issue 23):
/// real servers, states observed by polling them. The built binary's part is in the
/// end-to-end tests.
extension TimedSuites {
    @Suite("Hostile round")
    struct HostileRoundTests {
        /// A server that dies at start is seen dead at once (a zombie passed `kill(pid, 0)`).
        @Test func aServerThatDiesAtStartIsSeenAtOnce() async throws {
            let binaries = try await PostgresBinaries.locate()
            let begun = ContinuousClock.now
            // `postgres -C` accepts it; only a starting server loads the library.
            await #expect(throws: RehearseError.self) {
                _ = try await EmbeddedServer.start(binaries: binaries, settings: [("shared_preload_libraries", "no_such_library")])
            }
            #expect(ContinuousClock.now - begun < .seconds(15))
        }

        /// `pg_terminate_backend` on a workload's sessions: the step fails with the
        /// server's reason, 57P01, as a `sql` step does (it said "server closed the
        /// connection unexpectedly", with no SQLSTATE).
        @Test(arguments: [1, 4])
        func aTerminatedWorkloadSessionKeepsTheReason(pipeline: Int) async throws {
            let doc = try await ScenarioSuiteTests.run(
                yaml: """
                    name: terminated
                    steps:
                      - {name: schema, sql: "CREATE TABLE t (id int)"}
                      - name: traffic
                        background: true
                        workload: {connections: 2, rate: 40/s, pipeline: \(pipeline), transactions: [{sql: "SELECT count(*) FROM t"}]}
                      - name: kill
                        sql: |
                          SELECT pg_sleep(0.3);
                          SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rehearse:traffic';
                          SELECT pg_sleep(0.5);
                    expect: {verdict: blocked}
                    """)
            let traffic = try #require(doc.repetitions.first?.steps.first { $0.name == "traffic" })
            #expect(traffic.status == .failed)
            #expect(traffic.error?.sqlstate == "57P01", "\(String(describing: traffic.error))")
        }

        /// The signal cleanup meets a `CREATE DATABASE` in flight (here held on a lock):
        /// it cancels it and waits for it, and no database is left; one not begun never begins.
        @Test func aCreationInFlightIsCancelledAndNothingIsLeft() async throws {
            try await withTestServer { db in
                let admin = try await db.connect()
                try await admin.execute("CREATE DATABASE held_template")
                // Renaming the template, in an open transaction, holds the lock CREATE DATABASE waits for.
                try await admin.execute("BEGIN; ALTER DATABASE held_template RENAME TO held_template_renamed")
                let creator = try await db.connect()
                let server = db.server.conninfo(database: "postgres")
                let creation = DatabaseCreation(name: "rehearse_t_1", template: "held_template", marker: "rehearse:t")
                let creating = Task { try await creation.run(on: creator, serverConninfo: server) }
                let observer = try await db.connect()
                #expect(
                    await poll {
                        (try? await observer.query(
                            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
                            [String(creator.backendPID)]
                        ).scalar) == "1"
                    })
                let pid = creator.backendPID
                // The cleanup is synchronous (it runs in a signal handler): a thread of its own.
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    Thread {
                        creation.abandon(conninfo: server, backendPID: pid)
                        done.resume()
                    }.start()
                }
                // Released now: a creation the cleanup had not stopped would go on and succeed.
                try await admin.execute("ROLLBACK")
                await #expect(throws: PostgresError.self) { try await creating.value }
                #expect(try await observer.query("SELECT count(*) FROM pg_database WHERE datname = 'rehearse_t_1'").scalar == "0")

                let later = DatabaseCreation(name: "rehearse_t_2", template: nil, marker: "rehearse:t")
                later.abandon(conninfo: server, backendPID: pid)  // pending: nothing to wait for
                await #expect(throws: PostgresError.self) { try await later.run(on: creator, serverConninfo: server) }
                #expect(try await observer.query("SELECT count(*) FROM pg_database WHERE datname = 'rehearse_t_2'").scalar == "0")
                for c in [admin, creator, observer] { await c.close() }
            }
        }

        /// The rollback obeys the step timeout like every step.
        @Test func theRollbackObeysTheStepTimeout() async throws {
            // A migration whose down script sleeps a minute: a rollback that outlasts the timeout.
            let files = [
                "scenario.yaml": """
                name: slow-down
                steps:
                  - snapshot: before
                  - {name: deploy, migrate: {dir: migrations}}
                  - {name: after, sql: "SELECT 1"}
                rollback: {when: always, via: down, to: before}
                """,
                "migrations/1_table.up.sql": "CREATE TABLE t (id int);\n",
                "migrations/1_table.down.sql": "SELECT pg_sleep(60);\nDROP TABLE t;\n",
            ]
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-rbto-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            for (name, text) in files {
                let file = dir.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: file, atomically: false, encoding: .utf8)
            }
            var options = ScenarioSuiteTests.options()
            options.stepTimeout = .seconds(2)
            let begun = ContinuousClock.now
            let doc = try await ScenarioRunner.run(
                try ScenarioLoader.load(file: dir.appendingPathComponent("scenario.yaml")), options: options)
            #expect(ContinuousClock.now - begun < .seconds(30))
            let rollback = try #require(doc.repetitions.first?.rollback)
            #expect(rollback.status == .failed)
            #expect(rollback.error?.sqlstate == "57014")
            #expect(rollback.error?.message.contains("timeout") == true, "\(String(describing: rollback.error))")
        }
    }
}
