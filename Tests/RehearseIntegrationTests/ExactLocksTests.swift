import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseSQL
@testable import RehearseSupport

extension TimedSuites {
    /// `locks_taken` of the statements rehearse executes are exact: read from the
    /// step's own transaction after each statement, named by file and line; row
    /// locks are never reported as table locks.
    @Suite("Exact locks")
    struct ExactLocksTests {
        func locks(_ document: ResultsDocument, _ step: String) throws -> [LockTaken] {
            try #require(document.repetitions.first?.steps.first { $0.name == step }?.locksTaken)
        }

        /// A 3 ms ALTER TABLE is seen (the sampler looks every 50 ms), with its file and line.
        @Test func aShortAlterTableIsSeenWithItsStatement() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-exact-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let migrations = dir.appendingPathComponent("migrations")
            try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
            try "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t SELECT generate_series(1, 1000);\n"
                .write(to: migrations.appendingPathComponent("1_t.up.sql"), atomically: false, encoding: .utf8)
            try "-- a comment\nALTER TABLE t ADD COLUMN c int;\nSELECT count(*) FROM t;\n"
                .write(to: migrations.appendingPathComponent("2_alter.up.sql"), atomically: false, encoding: .utf8)
            try "-- seed\n\nINSERT INTO t (id) VALUES (1001);\n"
                .write(to: dir.appendingPathComponent("seed.sql"), atomically: false, encoding: .utf8)
            let doc = try await ScenarioSuiteTests.run(
                yaml: """
                    name: exact-locks
                    steps:
                      - {name: deploy, migrate: {dir: \(migrations.path)}}
                      - {name: seed, sql: {file: \(dir.appendingPathComponent("seed.sql").path)}}
                    """)
            #expect(doc.verdict == .approved, "\(doc.reasons)")
            let deploy = try locks(doc, "deploy")
            let alter = try #require(deploy.first { $0.relation == "t" && $0.mode == "AccessExclusiveLock" }, "\(deploy)")
            #expect(alter.kind == "relation" && alter.exact == true)
            // The CREATE TABLE took it first, in migration 1; the longest hold is kept.
            #expect(alter.statement == "migrations/1_t.up.sql:1" || alter.statement == "migrations/2_alter.up.sql:2")
            #expect(alter.heldMs < 1000)
            #expect(!deploy.contains { $0.relation == "migrations" }, "rehearse's own tracking table is left out")
            let seed = try locks(doc, "seed")
            let insert = try #require(seed.first { $0.relation == "t" && $0.mode == "RowExclusiveLock" }, "\(seed)")
            #expect(insert.statement == "seed.sql:3" && insert.exact == true && insert.kind == "relation")
        }

        /// Sessions waiting for a row hold a `tuple` lock (in a strong mode): a row
        /// lock, never reported as a lock on the table.
        @Test func rowLockWaitsAreNotTableLocks() async throws {
            let doc = try await ScenarioSuiteTests.run(
                yaml: """
                    name: row-waits
                    steps:
                      - {name: schema, sql: "CREATE TABLE jobs (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO jobs (id) VALUES (1)"}
                      - name: claim
                        workload:
                          connections: 3
                          iterations: 6
                          transactions:
                            - {name: bump, sql: "UPDATE jobs SET n = n + 1 WHERE id = 1"}
                    faults:
                      - lock: {table: jobs, rows: "id = 1", during: claim, hold: 600ms, idle_in_transaction: true}
                    """)
            let claim = try locks(doc, "claim")
            let faults = doc.repetitions[0].faults
            #expect(claim.contains { $0.relation == "jobs" && $0.kind == "row" && $0.exact == false }, "\(claim) \(faults) \(doc.reasons)")
            #expect(!claim.contains { $0.kind == "relation" && $0.mode.hasPrefix("AccessExclusive") }, "\(claim)")
        }
    }
}
