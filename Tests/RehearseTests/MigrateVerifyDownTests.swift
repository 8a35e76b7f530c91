import Foundation
import Testing

@testable import Rehearse

#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    @Suite("verify_down, and runs as a normal user")
    struct MigrateVerifyDownTests {
        static let scenarios = ScenarioSuiteTests.scenarios

        func run(_ yaml: String) async throws -> ResultsDocument {
            try await ScenarioSuiteTests.run(yaml: yaml)
        }

        @Test func verifyDownNamesTheFirstMigrationThatDoesNotUndoItsUp() async throws {
            let good = try await run(
                """
                name: verify-good
                steps:
                  - sql: {file: \(Self.scenarios.path)/warehouse/base.sql}
                  - {name: deploy, migrate: {dir: \(Self.scenarios.path)/warehouse/migrations, verify_down: true}}
                checks:
                  - {name: view_there, query: "SELECT count(*) FROM zone_capacity", expect: 20}
                """)
            #expect(good.verdict == "approved", "\(good.reasons)")
            let bad = try await run(
                """
                name: verify-bad
                steps:
                  - sql: {file: \(Self.scenarios.path)/warehouse/base.sql}
                  - {name: deploy, migrate: {dir: \(Self.scenarios.path)/warehouse/migrations-forgetful, verify_down: true}}
                expect: {verdict: blocked}
                """)
            let step = try #require(bad.repetitions[0].steps.first { $0.name == "deploy" })
            #expect(step.status == "failed")
            #expect(step.error?.migration == "migrations-forgetful/2_confidence_constraint.up.sql")
            #expect(step.error?.message.contains("index public.bins_zone_idx") == true)
            // Migration 1 went up, down and up again; migration 3 never ran.
            #expect(step.migrations?.map(\.status) == ["ok", "failed"])
        }

        @Test func migrationsMayCarryCopyDataBlocks() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-copymig-\(UUID().uuidString)")
            let migrations = dir.appendingPathComponent("migrations")
            try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try
                "CREATE TABLE codes (code text PRIMARY KEY, label text);\nCOPY codes (code, label) FROM stdin;\nA\tfirst\nB\tsecond; with a semicolon\n\\.\nCREATE INDEX codes_label ON codes (label);\n"
                .write(to: migrations.appendingPathComponent("1_codes.up.sql"), atomically: false, encoding: .utf8)
            try "DROP TABLE codes;\n".write(to: migrations.appendingPathComponent("1_codes.down.sql"), atomically: false, encoding: .utf8)
            let doc = try await run(
                """
                name: copy-migration
                steps:
                  - {name: deploy, migrate: {dir: \(migrations.path)}}
                checks:
                  - {name: loaded, row_count: codes, expect: 2}
                  - {name: semicolon_kept, query: "SELECT label FROM codes WHERE code = 'B'", expect: "second; with a semicolon"}
                """)
            #expect(doc.verdict == "approved", "\(doc.reasons)")
        }

        /// As a normal (non-root) user, rehearse runs the server as that user itself.
        @Test func runsAsANormalUser() async throws {
            guard getuid() == 0, let account = getpwnam("postgres") else { return }
            let binary = ScenarioSuiteTests.root.appendingPathComponent(".build/debug/rehearse")
            let dir = URL(fileURLWithPath: "/tmp/rh-user-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try
                "name: as-user\nsteps: [{sql: \"CREATE TABLE t (id int); INSERT INTO t VALUES (1)\"}]\nchecks: [{name: one, row_count: t, expect: 1}]\n"
                .write(to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
            chown(dir.path, account.pointee.pw_uid, account.pointee.pw_gid)
            chown(dir.appendingPathComponent("s.yaml").path, account.pointee.pw_uid, account.pointee.pw_gid)
            var env = ProcessInfo.processInfo.environment
            env["HOME"] = dir.path
            env["REHEARSE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
            env["REHEARSE_RUN_DIR"] = dir.path
            let (termination, output) = try await ChildProcess.run(
                [
                    "setpriv", "--reuid=\(account.pointee.pw_uid)", "--regid=\(account.pointee.pw_gid)", "--clear-groups", "--",
                    binary.path, "run", dir.appendingPathComponent("s.yaml").path, "--out", dir.appendingPathComponent("out").path,
                ],
                environment: env)
            #expect(termination.exitCode == 0, "\(output)")
            #expect(output.contains("as-user: approved"))
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("rehearse-") }
            #expect(left.isEmpty)
        }
    }
}
