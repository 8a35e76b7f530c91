import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseSupport

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
            #expect(good.verdict == .approved, "\(good.reasons)")
            let bad = try await run(
                """
                name: verify-bad
                steps:
                  - sql: {file: \(Self.scenarios.path)/warehouse/base.sql}
                  - {name: deploy, migrate: {dir: \(Self.scenarios.path)/warehouse/migrations-forgetful, verify_down: true}}
                expect: {verdict: blocked}
                """)
            let step = try #require(bad.repetitions[0].steps.first { $0.name == "deploy" })
            #expect(step.status == .failed)
            #expect(step.error?.migration == "migrations-forgetful/2_confidence_constraint.down.sql")
            #expect(step.error?.message.contains("index public.bins_zone_idx") == true)
            // Migration 1 went up, down and up again; migration 3 never ran.
            #expect(step.migrations?.map(\.status) == [.ok, .failed])
        }

        /// `verify_down: all` checks every down in one run, carrying on from the state
        /// after each up, and lists exactly the downs that do not undo their up.
        @Test func verifyDownAllListsEveryFaultyDown() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-vdall-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let files = [
                "1_t.up.sql": "CREATE TABLE t (a int, b int);", "1_t.down.sql": "DROP TABLE t;",
                // Forgets its index: the down runs in a transaction that is rolled back.
                "2_index.up.sql": "ALTER TABLE t ADD c int;\nCREATE INDEX t_a ON t (a);",
                "2_index.down.sql": "ALTER TABLE t DROP COLUMN c;",
                // Fails outright.
                "3_view.up.sql": "CREATE VIEW tv AS SELECT a FROM t;", "3_view.down.sql": "DROP VIEW tv_missing;",
                // Good, and can only run for real (CONCURRENTLY): down, compare, up again.
                "4_concurrent.up.sql": "CREATE INDEX CONCURRENTLY t_b ON t (b);",
                "4_concurrent.down.sql": "DROP INDEX CONCURRENTLY t_b;",
                // Forgets its index, for real.
                "5_more.up.sql": "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_ab ON t (a, b);", "5_more.down.sql": "VACUUM t;",
                "6_u.up.sql": "CREATE TABLE u (id int);", "6_u.down.sql": "DROP TABLE u;",
            ]
            for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8) }
            let doc = try await run(
                """
                name: verify-all
                steps:
                  - {name: deploy, migrate: {dir: \(dir.path), verify_down: all}}
                checks:
                  - {name: all_applied, query: "SELECT count(*) FROM _rehearse.migrations", expect: 6}
                  - {name: index_kept, query: "SELECT count(*) FROM pg_indexes WHERE indexname IN ('t_a', 't_b', 't_ab')", expect: 3}
                expect: {verdict: blocked}
                """)
            let step = try #require(doc.repetitions[0].steps.first { $0.name == "deploy" })
            let name = dir.lastPathComponent
            #expect(step.status == .failed)
            #expect(step.migrations?.map { $0.verifyDown?.status } == [.passed, .failed, .failed, .passed, .failed, .passed])
            #expect(
                step.migrations?.compactMap { $0.verifyDown?.status == .failed ? $0.verifyDown?.file : nil }
                    == ["\(name)/2_index.down.sql", "\(name)/3_view.down.sql", "\(name)/5_more.down.sql"])
            #expect(step.migrations?[1].verifyDown?.differences.map(\.object) == ["index public.t_a"])
            #expect(step.migrations?[2].verifyDown?.error?.sqlstate == "42P01")
            #expect(step.error?.migration == "\(name)/2_index.down.sql")
            let message = step.error?.message ?? ""
            #expect(message.contains("3 migrations are not undone by their down"), "\(message)")
            #expect(!message.contains("4_concurrent"))
            #expect(doc.repetitions[0].checks.filter { !$0.passed }.isEmpty, "\(doc.repetitions[0].checks)")
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
            #expect(doc.verdict == .approved, "\(doc.reasons)")
        }

    }
}
