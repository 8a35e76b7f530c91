import Foundation
import PostgresClient
import TestBasics
import TestSupport
import Testing

@testable import RehearseEngine

#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    /// What happens when things go wrong under the built binary: a crashed server,
    /// secrets, wrong passwords, unreachable servers. (Terminated backends, timeouts and
    /// many connections, through the library, are in the integration tests.)
    @Suite("Reliability")
    struct ReliabilityTests {
        static let binary = Repository.rehearseBinary

        func scenario(_ yaml: String, name: String = "scenario.yaml") throws -> URL {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-rel-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let file = dir.appendingPathComponent(name)
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            return file
        }

        /// Runs the rehearse binary; returns exit code and everything it printed.
        func rehearse(
            _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)
        ) async throws -> (Int32, String) {
            try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the executable first")
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("rh-out-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: output) }
            let child = try ChildProcess.spawn([Self.binary.path] + arguments, environment: env, outputFile: output)
            let watchdog = Task {
                try await Task.sleep(for: timeout)
                child.signal(SIGKILL)
            }
            let termination = await child.wait()
            watchdog.cancel()
            return (termination.exitCode, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
        }

        @Test func killedServerEndsTheStepInBoundedTime() async throws {
            let run = try HostileRun.start([
                "scenario.yaml": """
                name: server-dies
                steps:
                  - {name: long, sql: "SELECT pg_sleep(60)"}
                  - {name: after, sql: "SELECT 1"}
                """
            ])
            defer { run.remove() }
            let watchdog = Task {
                try await Task.sleep(for: .seconds(120))
                run.child.signal(SIGKILL)
            }
            // SIGKILL the run's postmaster once the long step is under way.
            #expect(await run.waitForStatement(containing: "pg_sleep(60)"), "\(run.output)")
            let pidFile = try #require(run.serverFolder?.appendingPathComponent("data/postmaster.pid"))
            let pid = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).split(separator: "\n")[0]))
            kill(pid, SIGKILL)
            let (code, after) = await run.finish(since: .now)
            watchdog.cancel()
            let output = run.output
            #expect(after < .seconds(30))
            #expect(code == 1 || code == 3, "exit \(code): \(output)")
            #expect(output.contains("long"))
            #expect(output.contains("failed") || output.contains("server"), "\(output)")
            #expect(try await run.leftovers().isEmpty, "left behind")
        }

        @Test func plantedSecretsNeverAppear() async throws {
            try await withTestServer { db in
                let secret = "plantedSecret-\(UInt32.random(in: 100_000...999_999))"
                let file = try scenario(
                    """
                    name: secrets
                    steps:
                      - name: leaky
                        run: ["sh", "-c", "echo \\"$DATABASE_URL\\"; echo pw=$PGPASSWORD; echo postgresql://app:\(secret)x@db/x; exit 3"]
                    expect: {verdict: blocked}
                    """)
                defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
                let out = file.deletingLastPathComponent().appendingPathComponent("results")
                let url = "postgresql://postgres:\(secret)@/postgres?host=\(db.server.socketDirectory.path)&port=5432"
                let (code, output) = try await rehearse(["run", file.path, "--server", url, "--out", out.path, "--json"])
                #expect(code == 0, "\(output)")
                #expect(output.contains("leaky"))
                #expect(!output.contains(secret), "the secret leaked to the terminal")
                let enumerator = FileManager.default.enumerator(atPath: out.path)
                var files = 0
                while let path = enumerator?.nextObject() as? String {
                    guard path.hasSuffix(".json") else { continue }
                    files += 1
                    let text = try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8)
                    #expect(!text.contains(secret), "the secret leaked to \(path)")
                    #expect(text.contains("*****"))
                }
                #expect(files == 1)
            }
        }

        /// A server that asks for a password and gets the wrong one: exit 3 with libpq's
        /// message, one connection attempt (no retry storm), and the password nowhere.
        @Test func wrongPasswordIsInfrastructureFailure() async throws {
            try await withTestServer { db in
                let admin = try await db.connect()
                try await admin.execute("CREATE ROLE deployer LOGIN CREATEDB PASSWORD 'right-password-1'")
                // The embedded server trusts every local connection; this role must give a password.
                let hba = db.server.dataDirectory.appendingPathComponent("pg_hba.conf")
                let rules = try String(contentsOf: hba, encoding: .utf8)
                try ("local all deployer scram-sha-256\n" + rules).write(to: hba, atomically: false, encoding: .utf8)
                try await admin.execute("SELECT pg_reload_conf()")
                await admin.close()
                let log = db.server.runDirectory.appendingPathComponent("server.log")
                func failedLogins() -> Int {
                    let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                    return text.components(separatedBy: "password authentication failed").count - 1
                }

                let file = try scenario("name: wrong-password\nsteps: [{sql: \"SELECT 1\"}]\n")
                defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
                let out = file.deletingLastPathComponent().appendingPathComponent("results")
                let secret = "wrongSecret-\(UInt32.random(in: 100_000...999_999))"
                let url = "postgresql://deployer:\(secret)@/postgres?host=\(db.server.socketDirectory.path)&port=5432"
                let (code, output) = try await rehearse(["run", file.path, "--server", url, "--out", out.path])
                #expect(code == 3, "\(output)")
                #expect(output.contains("password authentication failed"), "\(output)")
                #expect(!output.contains(secret), "the password leaked: \(output)")
                #expect(failedLogins() == 1, "one attempt, no retries")
                // The same with the password in PGPASSWORD instead of the URL.
                let plain = "host=\(db.server.socketDirectory.path) port=5432 user=deployer dbname=postgres"
                let (envCode, envOutput) = try await rehearse(
                    ["run", file.path, "--server", plain, "--out", out.path], environment: ["PGPASSWORD": secret])
                #expect(envCode == 3, "\(envOutput)")
                #expect(envOutput.contains("password authentication failed"), "\(envOutput)")
                #expect(!envOutput.contains(secret), "the password leaked: \(envOutput)")
                #expect(failedLogins() == 2, "one attempt each, no retries")
                // Nor in anything written to the results folder.
                let written = FileManager.default.enumerator(atPath: out.path)
                while let path = written?.nextObject() as? String {
                    var isDirectory: ObjCBool = false
                    let url = out.appendingPathComponent(path)
                    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
                    else { continue }
                    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
                    #expect(!text.contains(secret), "the password leaked to \(path)")
                }
                // And the right password gets through, so the failures above were the password's.
                let (okCode, okOutput) = try await rehearse(
                    ["run", file.path, "--server", plain, "--out", out.path], environment: ["PGPASSWORD": "right-password-1"])
                #expect(okCode == 0, "\(okOutput)")
            }
        }

        @Test func unreachableServerIsInfrastructureFailure() async throws {
            let file = try scenario("name: nowhere\nsteps: [{sql: \"SELECT 1\"}]\n")
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            let (code, output) = try await rehearse([
                "run", file.path, "--server", "host=/nonexistent-dir port=5 user=x dbname=y connect_timeout=2", "--out", "/tmp/rh-none",
            ])
            #expect(code == 3, "\(output)")
            #expect(output.contains("cannot reach the server"))
            let (badArg, _) = try await rehearse(["run", file.path, "--repeat", "0"])
            #expect(badArg == 2)
            let (missing, text) = try await rehearse(["run", "/nonexistent/scenario.yaml"])
            #expect(missing == 2)
            #expect(text.contains("no such file"))
        }
    }
}
