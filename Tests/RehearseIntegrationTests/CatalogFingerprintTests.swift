import Foundation
import PostgresClient
import TestSupport
import Testing
@testable import RehearseEngine
@testable import RehearseResults

/// The fingerprint that proves a rollback, on a real server: for each item of the
/// spec's list, a down that forgets exactly that item is caught, with the attribute
/// and its value before and after; downs that do undo their up are not flagged.
@Suite("Catalog fingerprint")
struct CatalogFingerprintTests {
    /// A fresh database holding `CatalogFingerprintCases.base`, dropped afterwards.
    func withDatabase(
        _ name: String, on db: TestServer, _ body: (Connection) async throws -> Void
    ) async throws {
        let admin = try await db.connect()
        try await admin.execute("CREATE DATABASE \(name)")
        let connection = try await db.connect(name)
        do {
            try await connection.execute(CatalogFingerprintCases.base)
            try await body(connection)
        } catch {
            Issue.record("\(name): \(error)")
        }
        await connection.close()
        try await admin.execute("DROP DATABASE \(name)")
        await admin.close()
    }

    func fingerprint(_ connection: Connection) async throws -> CatalogFingerprint {
        try await connection.withSession { try CatalogFingerprint.take($0) }
    }

    @Test func aDownThatForgetsOneItemIsCaughtAndItsCompletionIsNot() async throws {
        try await withTestServer { db in
            let admin = try await db.connect()
            try await admin.execute(CatalogFingerprintCases.roles)
            await admin.close()
            for (index, pair) in CatalogFingerprintCases.forgotten.enumerated() {
                try await withDatabase("forgot\(index)", on: db) { c in
                    if !pair.setup.isEmpty { try await c.execute(pair.setup) }
                    let before = try await fingerprint(c)
                    try await c.execute(pair.up)
                    if !pair.down.isEmpty { try await c.execute(pair.down) }
                    let found = try await fingerprint(c).differences(from: before, snapshotName: "s")
                    #expect(
                        found.contains { $0.object.hasPrefix(pair.object) && (pair.detail.isEmpty || $0.detail.contains(pair.detail)) },
                        "\(pair.item): not caught; found \(found.map { "\($0.object) \($0.change): \($0.detail)" })")
                    try await c.execute(pair.forgotten)
                    let left = try await fingerprint(c).differences(from: before, snapshotName: "s")
                    #expect(left.isEmpty, "\(pair.item): flagged after a complete down: \(left)")
                }
            }
        }
    }

    @Test func aDownThatUndoesItsUpIsNotFlagged() async throws {
        try await withTestServer { db in
            let admin = try await db.connect()
            try await admin.execute(CatalogFingerprintCases.roles)
            await admin.close()
            for (index, pair) in CatalogFingerprintCases.undone.enumerated() {
                try await withDatabase("undone\(index)", on: db) { c in
                    if !pair.setup.isEmpty { try await c.execute(pair.setup) }
                    let schema = try await fingerprint(c)
                    let data = try await c.withSession { try DataChecksum.take($0) }
                    try await c.execute(pair.up)
                    let afterUp = try await fingerprint(c)
                    #expect(afterUp != schema, "\(pair.item): the up changes nothing the fingerprint sees")
                    try await c.execute(pair.down)
                    let flagged = try await fingerprint(c).differences(from: schema, snapshotName: "s")
                    #expect(flagged.isEmpty, "\(pair.item): flagged: \(flagged)")
                    let rows = try await c.withSession { try DataChecksum.take($0) }.differences(from: data, snapshotName: "s")
                    #expect(rows.isEmpty, "\(pair.item): data flagged: \(rows)")
                }
            }
        }
    }

    /// A down that drops a column and adds it back with its data restores the rows
    /// but not the column's place: one schema difference (that column moved), no
    /// data difference. Rows hashed in the table's column order read every row as
    /// changed.
    @Test func aColumnAddedBackAtTheEndIsMovedNotDifferentData() async throws {
        try await withTestServer { db in
            try await withDatabase("moved", on: db) { c in
                try await c.execute("INSERT INTO t SELECT g, 'a' || g, g FROM generate_series(1, 500) g")
                let schema = try await fingerprint(c)
                let data = try await c.withSession { try DataChecksum.take($0) }
                try await c.execute("CREATE TABLE keep AS SELECT id, a FROM t; ALTER TABLE t DROP COLUMN a")
                try await c.execute(
                    """
                    ALTER TABLE t ADD COLUMN a text; UPDATE t SET a = keep.a FROM keep WHERE keep.id = t.id; DROP TABLE keep;
                    \(CatalogFingerprintCases.indexesOnA)
                    """)
                let differences = try await fingerprint(c).differences(from: schema, snapshotName: "s")
                #expect(
                    differences.map { "\($0.object) \($0.change): \($0.detail)" } == [
                        "column public.t.a changed: moved from position 2 to 3 (was after id, now after b)"
                    ])
                let rows = try await c.withSession { try DataChecksum.take($0) }.differences(from: data, snapshotName: "s")
                #expect(rows.isEmpty, "\(rows)")
            }
        }
    }

    /// A table a down forgot to drop is one difference: its columns, indexes,
    /// constraints, triggers, grants and comment go with it.
    @Test func aTableLeftBehindIsOneDifference() async throws {
        try await withTestServer { db in
            try await withDatabase("leftover", on: db) { c in
                let before = try await fingerprint(c)
                try await c.execute(
                    """
                    CREATE TABLE extra (id int PRIMARY KEY, t_id int REFERENCES t, note text CHECK (note <> ''));
                    CREATE INDEX extra_note ON extra (note);
                    CREATE TRIGGER extra_tr BEFORE INSERT ON extra FOR EACH ROW EXECUTE FUNCTION touch();
                    COMMENT ON TABLE extra IS 'left behind';
                    ALTER TABLE t ADD COLUMN c int;
                    """)
                let differences = try await fingerprint(c).differences(from: before, snapshotName: "s")
                #expect(differences.map { "\($0.object) \($0.change)" } == ["column public.t.c added", "table public.extra added"])
            }
        }
    }

}
