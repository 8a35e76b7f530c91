import Foundation
import PostgresClient
import TestSupport
import Testing
@testable import RehearseEngine
@testable import RehearseScenario
@testable import RehearseSupport
@testable import RehearseResults

@Suite("Rollback verification")
struct RollbackTests {
    /// A snapshot copy (`CREATE DATABASE … TEMPLATE`) fails with 55006 if any session is
    /// on its template when it starts. The lock observer stays off the database while a
    /// step keeps bystanders off, however long the copy is in coming (here 300 ms after
    /// the sessions were closed, six times the observer's wait before reconnecting),
    /// and comes back after it.
    @Test func theLockObserverStaysOffWhileASnapshotIsCopied() async throws {
        try await withTestServer { db in
            let host = EmbeddedHost(server: db.server, runID: "obs")
            try await host.createDatabase("live", template: nil)
            let admin = try await db.connect()
            func observerIsOn() async throws -> Bool {
                try await admin.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rehearse:observer'").scalar == "1"
            }
            let sessions = SessionDirectory()
            let observer = LockObserver.start(conninfo: host.conninfo(database: "live"), sessions: sessions, origin: monotonicNanos())
            for copy in 0..<3 {
                var waited = 0
                while try await !observerIsOn() && waited < 3000 {
                    try await Task.sleep(for: .milliseconds(10))
                    waited += 1
                }
                #expect(try await observerIsOn(), "the observer is not on the database before copy \(copy)")
                try await sessions.keepingBystandersOff {
                    try await DatabaseCloner.closeSessions(on: "live", admin: admin)
                    try await Task.sleep(for: .milliseconds(300))
                    try await host.createDatabase("copy\(copy)", template: "live")
                }
            }
            // Back on after the last copy, it samples again. (It may have been seen connected
            // before each copy without having sampled yet, so samples are awaited here, polling.)
            var waited = 0
            while observer.samplesSoFar == 0 && waited < 3000 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            let observation = await observer.finish()
            #expect(observation.samples > 0)
            await admin.close()
        }
    }

    @Test func dataChecksumIgnoresPhysicalOrderAndSeesChanges() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            try await c.execute(
                """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g;
                CREATE INDEX t_v ON t (v);
                """)
            let first = try await c.withSession { try DataChecksum.take($0) }
            try await c.execute("UPDATE t SET v = v WHERE id % 3 = 0")
            try await c.execute("VACUUM FULL t")
            try await c.execute("CLUSTER t USING t_v")
            let second = try await c.withSession { try DataChecksum.take($0) }
            #expect(first == second)
            try await c.execute("UPDATE t SET v = 'changed' WHERE id = 42")
            let third = try await c.withSession { try DataChecksum.take($0) }
            let diff = third.differences(from: first, snapshotName: "s")
            #expect(diff.count == 1)
            #expect(diff.first?.detail.contains("same row count (5000)") == true)
            // A table on one side only is a data difference as well: `verify: [data]` alone sees it.
            try await c.execute("CREATE TABLE extra (id int); INSERT INTO extra VALUES (1), (2)")
            let fourth = try await c.withSession { try DataChecksum.take($0) }
            let both = fourth.differences(from: first, snapshotName: "s") + first.differences(from: fourth, snapshotName: "s")
            #expect(both.contains { $0.object == "data public.extra" && $0.change == "added" && $0.detail.hasPrefix("2 rows") })
            #expect(both.contains { $0.object == "data public.extra" && $0.change == "removed" })
            await c.close()
        }
    }

    @Test func fingerprintSeesEveryObjectKindAndIgnoresRehearsesOwn() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            try await c.execute("CREATE TABLE base (id int PRIMARY KEY)")
            let before = try await c.withSession { try CatalogFingerprint.take($0) }
            try await c.execute(
                """
                CREATE SCHEMA app;
                CREATE TYPE mood AS ENUM ('ok', 'sad');
                CREATE DOMAIN positive AS int CHECK (VALUE > 0);
                CREATE SEQUENCE app.seq;
                CREATE TABLE app.t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n positive DEFAULT 1, m mood,
                  doubled int GENERATED ALWAYS AS (n * 2) STORED, base_id int REFERENCES base (id));
                CREATE INDEX t_m ON app.t (m);
                CREATE VIEW app.v AS SELECT id FROM app.t;
                CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) FROM app.t;
                CREATE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                CREATE TRIGGER tr BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
                CREATE EXTENSION IF NOT EXISTS pgcrypto;
                CREATE ROLE reader;
                GRANT SELECT ON app.t TO reader;
                CREATE SCHEMA IF NOT EXISTS _rehearse;
                CREATE TABLE _rehearse.bookkeeping (x int);
                """)
            let after = try await c.withSession { try CatalogFingerprint.take($0) }
            // The kinds taken, not the differences: a new table's columns and indexes are not listed apart from it.
            let added = Set(after.objects.filter { before.objects[$0.key] == nil }.map(\.value.kind))
            #expect(after.differences(from: before, snapshotName: "s").contains { $0.object == "table app.t" })
            for kind in [
                "schema", "enum", "domain", "sequence", "view",
                "materialized view", "function", "trigger", "extension", "grant",
            ] {
                #expect(added.contains(kind), "missing \(kind)")
            }
            #expect(!after.objects.keys.contains { $0.contains("_rehearse") })
            await c.close()
        }
    }
}
