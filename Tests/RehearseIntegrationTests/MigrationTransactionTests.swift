import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSQL
@testable import RehearseSupport


extension TimedSuites {
    /// Each layout's files sent to a real server the way the layout's tool sends
    /// them, so that a rehearsal fails where production would and nowhere else.
    @Suite("Migration transactions on a real server")
    struct MigrationTransactionTests {
        /// A folder of migration files beside a scenario running `steps`; the
        /// results of running it. `dir` in the steps is `$DIR`.
        func run(_ files: [String: String], _ steps: String, extra: String = "") async throws -> ResultsDocument {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-mtx-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let migrations = dir.appendingPathComponent("migrations")
            for (path, text) in files {
                let url = migrations.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: false, encoding: .utf8)
            }
            let yaml = "name: transactions\nsteps:\n" + steps.replacingOccurrences(of: "$DIR", with: migrations.path) + "\n" + extra
            return try await ScenarioSuiteTests.run(yaml: yaml)
        }

        func step(_ document: ResultsDocument, _ name: String = "deploy") throws -> StepResult {
            try #require(document.repetitions.first?.steps.first { $0.name == name })
        }

        static let table = "CREATE TABLE t (a int, b int);\nINSERT INTO t SELECT g, g FROM generate_series(1, 100) g;\n"

        /// golang-migrate sends the file as one query: a lone CREATE INDEX CONCURRENTLY
        /// works (Mattermost's migration 118), several statements are one implicit
        /// transaction, and CONCURRENTLY among others fails with the server's own 25001.
        @Test func golangMigrateSendsEachFileAsOneQuery() async throws {
            let good = try await run(
                [
                    "000001_t.up.sql": Self.table, "000001_t.down.sql": "DROP TABLE t;",
                    "000002_index.up.sql": "-- a comment first\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n",
                    "000002_index.down.sql": "DROP INDEX CONCURRENTLY t_a;",
                    "000003_two.up.sql":
                        "-- morph:nontransactional\nCREATE INDEX CONCURRENTLY t_b ON t (b);\nDROP INDEX CONCURRENTLY t_b;\n",
                    "000003_two.down.sql": "",
                    "000004_own.up.sql": "BEGIN;\nCREATE TABLE w (a int);\nCOMMIT;\n",
                ], "  - {name: deploy, migrate: {dir: $DIR}}",
                extra: "checks:\n  - {name: indexed, query: \"SELECT count(*) FROM pg_indexes WHERE indexname = 't_a'\", expect: 1}\n")
            #expect(good.verdict == .approved, "\(good.reasons)")
            #expect(try step(good).migrations?.map(\.transactional) == [true, false, false, true])

            let mixed = try await run(
                [
                    "1_t.up.sql": Self.table,
                    "2_mixed.up.sql": "CREATE TABLE u (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n",
                ], "  - {name: deploy, migrate: {dir: $DIR}}",
                extra: "checks:\n  - {name: no_u, query: \"SELECT to_regclass('u') IS NULL\", expect: true}\n")
            let failed = try step(mixed)
            #expect(failed.status == .failed)
            #expect(failed.error?.sqlstate == "25001", "\(String(describing: failed.error))")
            #expect(failed.error?.migration == "migrations/2_mixed.up.sql")
            // The implicit transaction took the CREATE TABLE back with it.
            #expect(mixed.repetitions[0].checks.first?.passed == true)
        }

        /// Flyway runs a script PostgreSQL refuses in a transaction without one,
        /// and refuses a script mixing both kinds unless the step says `mixed: true`.
        @Test func flywayMixedScripts() async throws {
            let files = [
                "V1__t.sql": Self.table,
                "V2__index.sql": "CREATE INDEX CONCURRENTLY t_a ON t (a);",
                "V3__mixed.sql": "ALTER TABLE t ADD c int;\nCREATE INDEX CONCURRENTLY t_c ON t (c);",
                "R__view.sql": "CREATE OR REPLACE VIEW tv AS SELECT a, c FROM t;",
            ]
            let refused = try await #require(throws: ScenarioErrors.self) {
                try await run(files, "  - {name: deploy, migrate: {dir: $DIR}}")
            }
            #expect(refused.errors.count == 1)
            #expect(refused.errors[0].line == 3 && refused.errors[0].key == "steps[1].migrate.dir", "\(refused)")
            #expect(refused.errors[0].message.contains("V3__mixed.sql:2"), "\(refused)")
            let allowed = try await run(files, "  - {name: deploy, migrate: {dir: $DIR, mixed: true}}")
            #expect(allowed.verdict == .approved, "\(allowed.reasons)")
            #expect(try step(allowed).migrations?.map(\.name) == ["t", "index", "mixed", "view"])
            #expect(try step(allowed).migrations?.map(\.transactional) == [true, false, false, true])
        }

        /// dbmate's `transaction:false`, diesel's `run_in_transaction = false`, and the
        /// step's `transaction:` key; without them the same files fail as their tools' would.
        @Test func layoutsAndTheStepsOverride() async throws {
            let dbmate = [
                "1_t.sql": "-- migrate:up\n\(Self.table)-- migrate:down\nDROP TABLE t;\n",
                "2_index.sql":
                    "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n-- migrate:down\n-- nothing to undo\n",
            ]
            let rollback = """
                rollback: {when: always, via: down, to: before, verify: [schema]}
                expect: {verdict: approved, rollback: passed}
                """
            let done = try await run(
                dbmate, "  - {snapshot: before}\n  - {name: deploy, migrate: {dir: $DIR}}", extra: rollback)
            #expect(done.verdict == .approved, "\(done.reasons)")
            // The empty down is a down that does nothing: the rollback goes on to drop t.
            #expect(done.repetitions[0].rollback.status == .passed, "\(String(describing: done.repetitions[0].rollback.error))")

            let diesel = [
                "2023-12-05-100000_t/up.sql": Self.table, "2023-12-05-100000_t/down.sql": "DROP TABLE t;",
                "2023-12-06-180359_index/up.sql": "CREATE INDEX CONCURRENTLY t_a ON t (a);",
            ]
            let plainRun = try await run(diesel, "  - {name: deploy, migrate: {dir: $DIR, to: \"2023-12-06-180359\"}}")
            #expect(try step(plainRun).error?.sqlstate == "25001")
            let overridden = try await run(
                diesel, "  - {name: deploy, migrate: {dir: $DIR, to: \"2023-12-06-180359\", transaction: none}}")
            #expect(overridden.verdict == .approved, "\(overridden.reasons)")
            var withMetadata = diesel
            withMetadata["2023-12-06-180359_index/metadata.toml"] = "run_in_transaction = false\n"
            let metadata = try await run(withMetadata, "  - {name: deploy, migrate: {dir: $DIR}}")
            #expect(metadata.verdict == .approved, "\(metadata.reasons)")
            #expect(try step(metadata).migrations?.map(\.transactional) == [true, false])
        }

        /// A `to:` naming no migration is invalid input, found before anything runs.
        @Test func unknownToIsInvalidInput() async throws {
            let error = try await #require(throws: ScenarioErrors.self) {
                try await run(
                    ["000042_a.up.sql": "SELECT 1;", "000043_b.up.sql": "SELECT 1;"],
                    "  - name: deploy\n    migrate:\n      dir: $DIR\n      to: \"44\"")
            }
            #expect(error.errors.count == 1)
            #expect(error.errors[0].line == 6 && error.errors[0].column == 11, "\(error)")
            #expect(error.errors[0].message.contains("'44'") && error.errors[0].message.contains("000042 to 000043"))
        }
    }
}
