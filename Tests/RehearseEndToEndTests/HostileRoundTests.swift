import Foundation
import PostgresClient
import TestBasics
import TestSupport
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The README's promises for when things go wrong, each under a case that broke one of
/// them (issue 23): the built binary, real servers, signals sent when the state they
/// target has been observed (never after a fixed sleep).
extension TimedSuites {
    @Suite("Hostile round")
    struct HostileRoundTests {
        /// A migration whose down script sleeps: a rollback that takes as long as we like.
        static func slowDown(seconds: Int, rollbackWhen: String = "always", deploySQL: String = "SELECT 1") -> [String: String] {
            [
                "scenario.yaml": """
                name: slow-down
                steps:
                  - snapshot: before
                  - {name: deploy, migrate: {dir: migrations}}
                  - {name: after, sql: "\(deploySQL)"}
                rollback: {when: \(rollbackWhen), via: down, to: before}
                """,
                "migrations/1_table.up.sql": "CREATE TABLE t (id int);\n",
                "migrations/1_table.down.sql": "SELECT pg_sleep(\(seconds));\nDROP TABLE t;\n",
            ]
        }

        /// SIGINT while the down script runs: the rollback is cancelled (57014), the run
        /// ends at once (not at the 10 s grace) with its document and leaves nothing.
        @Test func interruptCancelsTheRollback() async throws {
            let run = try HostileRun.start(Self.slowDown(seconds: 30))
            defer { run.remove() }
            #expect(await run.waitForStatement(containing: "pg_sleep(30)"), "\(run.output)")
            let sent = ContinuousClock.now
            run.child.signal(SIGINT)
            let (code, after) = await run.finish(since: sent)
            #expect(code == 130, "\(run.output)")
            #expect(after < .seconds(15), "the interrupt took \(after) (the rollback sleeps 30 s)")
            let doc = try run.document()
            #expect(doc.interrupted == true)
            let rollback = try #require(doc.repetitions.first?.rollback)
            #expect(rollback.status == .failed)
            #expect(rollback.error?.sqlstate == "57014")
            #expect(rollback.error?.message.contains("interrupted") == true, "\(String(describing: rollback.error))")
            #expect(try await run.leftovers().isEmpty)
        }

        /// SIGINT during a deploy step with `rollback: when: always`: the rollback does
        /// not begin, and the results say why.
        @Test func interruptBeforeTheRollbackSkipsIt() async throws {
            let run = try HostileRun.start(Self.slowDown(seconds: 1, deploySQL: "SELECT pg_sleep(40)"))
            defer { run.remove() }
            #expect(await run.waitForStatement(containing: "pg_sleep(40)"), "\(run.output)")
            run.child.signal(SIGINT)
            let (code, _) = await run.finish(since: .now)
            #expect(code == 130, "\(run.output)")
            let rollback = try #require(try run.document().repetitions.first?.rollback)
            #expect(rollback.status == .notRun)
            #expect(rollback.reason?.contains("interrupted") == true)
            #expect(try await run.leftovers().isEmpty)
        }

        /// A signal before the server is ready still leaves the promised document.
        @Test func anEarlySignalStillWritesTheDocument() async throws {
            let run = try HostileRun.start(Self.slowDown(seconds: 1))
            defer { run.remove() }
            // The run folder appears before the server is copied and started.
            #expect(await run.poll { run.serverFolder != nil })
            run.child.signal(SIGTERM)
            let (code, _) = await run.finish(since: .now)
            #expect(code == 143, "\(run.output)")
            let doc = try run.document()
            #expect(doc.interrupted == true)
            #expect(doc.expectation.met == false)
            #expect(try await run.leftovers().isEmpty)
        }

        /// A server `--keep` left survives the next run (whose reaper took it for a dead
        /// run's), and `rehearse clean` removes it.
        @Test func aKeptServerSurvivesTheNextRunUntilClean() async throws {
            let scenario = ["scenario.yaml": "name: kept\nsteps: [{name: one, sql: \"SELECT 1\"}]\n"]
            let kept = try HostileRun.start(scenario, arguments: ["--keep"])
            defer { kept.remove() }
            let (code, _) = await kept.finish(since: .now)
            #expect(code == 0, "\(kept.output)")
            let folder = try #require(kept.serverFolder, "\(kept.output)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("kept").path))
            #expect(HostileRun.serverRuns(in: folder))

            let next = try HostileRun.start(scenario, runBase: kept.runBase)
            defer { next.remove() }
            let (nextCode, _) = await next.finish(since: .now)
            #expect(nextCode == 0, "\(next.output)")
            #expect(FileManager.default.fileExists(atPath: folder.path), "the next run removed the kept server")
            #expect(HostileRun.serverRuns(in: folder))

            let (cleanCode, cleanOutput) = try await kept.rehearse(["clean"])
            #expect(cleanCode == 0, "\(cleanOutput)")
            #expect(cleanOutput.contains(folder.path))
            #expect(try await kept.leftovers().isEmpty)
        }

        /// A setting the server rejects is invalid input at its position, found by the
        /// server binary before anything runs (it stalled 60 s, then exit 3 with no position).
        @Test func aRejectedSettingFailsFastAtItsPosition() async throws {
            let run = try HostileRun.start([
                "scenario.yaml": "name: bad-setting\ndatabase:\n  settings: {work_mem: lots}\nsteps: [{name: one, sql: \"SELECT 1\"}]\n"
            ])
            defer { run.remove() }
            let (code, after) = await run.finish(since: run.started)
            #expect(code == 2, "\(run.output)")
            #expect(after < .seconds(10))
            #expect(run.output.contains("scenario.yaml:3:24: error: database.settings.work_mem:"), "\(run.output)")
            #expect(run.output.contains("invalid value for parameter \"work_mem\""), "\(run.output)")
            #expect(try await run.leftovers().isEmpty)
        }

        /// A damaged cluster cache is noticed and made again; the run goes on.
        @Test func aDamagedClusterCacheIsMadeAgain() async throws {
            let cache = FileManager.default.temporaryDirectory.appendingPathComponent("rh-cache-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: cache) }
            let scenario = ["scenario.yaml": "name: cache\nsteps: [{name: one, sql: \"SELECT 1\"}]\n"]
            let first = try HostileRun.start(scenario, environment: ["REHEARSE_CACHE_DIR": cache.path])
            defer { first.remove() }
            #expect(await first.finish(since: .now).exitCode == 0, "\(first.output)")
            let clusters = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasPrefix("pristine-") }
            let control = cache.appendingPathComponent("\(try #require(clusters.first))/global/pg_control")
            try Data(count: 100).write(to: control)
            let second = try HostileRun.start(scenario, environment: ["REHEARSE_CACHE_DIR": cache.path])
            defer { second.remove() }
            #expect(await second.finish(since: .now).exitCode == 0, "\(second.output)")
            #expect(PristineCluster.isIntact(control.deletingLastPathComponent().deletingLastPathComponent()))
        }

        /// Two SIGINTs 50 ms apart in `--server` mode, while a `CREATE DATABASE` runs or
        /// between repetitions: exit 130 (it crashed in `exit()` beside a libpq connect), and
        /// no database of the run left on the user's server (an unmarked template was, for good).
        @Test(arguments: ["CREATE DATABASE%", "%pg_sleep(0.05)%"])
        func aDoubleSignalLeavesNothingOnTheServer(at statement: String) async throws {
            try await withTestServer { db in
                let admin = try await db.connect()
                let run = try HostileRun.start(
                    [
                        "scenario.yaml": """
                        name: double
                        repeat: 30
                        steps: [{name: one, sql: "CREATE TABLE t AS SELECT generate_series(1, 1000) AS id; SELECT pg_sleep(0.05)"}]
                        """
                    ], arguments: ["--server", db.server.conninfo(database: "postgres")])
                defer { run.remove() }
                _ = await run.poll(limit: .seconds(30)) {
                    let active = try? await admin.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1", [statement]
                    ).scalar
                    return active != nil && active != "0"
                }
                run.child.signal(SIGINT)
                try await Task.sleep(for: .milliseconds(50))  // the gap between the two signals is the case itself
                run.child.signal(SIGINT)
                let (code, _) = await run.finish(since: .now)
                #expect(code == 130, "\(run.output)")
                // Nothing of the run may still be running on the server, then nothing may be left.
                #expect(
                    await poll {
                        (try? await admin.query("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'rehearse%'").scalar)
                            == "0"
                    })
                let left = try await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'rehearse%'").rows
                #expect(left.isEmpty, "left on the server: \(left)")
                await admin.close()
            }
        }

    }
}
