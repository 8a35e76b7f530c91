import Foundation
import Testing

@testable import Rehearse

@Suite("Migration layouts")
final class MigrationLayoutTests {
    private var made: [URL] = []

    deinit { for dir in made { try? FileManager.default.removeItem(at: dir) } }

    func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-mig-\(UUID().uuidString)")
        made.append(dir)
        for (path, text) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
        return dir
    }

    @Test func flyway() throws {
        let dir = try folder(["V1__init.sql": "CREATE TABLE a();", "V10__more.sql": "x", "V2__two.sql": "y", "U2__two.sql": "undo"])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .flyway)
        #expect(migrations.map(\.version) == ["1", "2", "10"])
        #expect(migrations[1].down == "undo")
    }

    @Test func golangMigrate() throws {
        let dir = try folder(["1_a.up.sql": "up1", "1_a.down.sql": "down1", "2_b.up.sql": "up2", "2_b.down.sql": "down2"])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .golangMigrate)
        #expect(migrations.map(\.down) == ["down1", "down2"])
    }

    @Test func dbmateWithNonTransactionalSection() throws {
        let dir = try folder([
            "20240101_a.sql": "-- migrate:up\nCREATE TABLE a();\n-- migrate:down\nDROP TABLE a;\n",
            "20240102_b.sql": "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (x);\n-- migrate:down\nDROP INDEX i;\n",
        ])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .dbmate)
        #expect(migrations.map(\.transactional) == [true, false])
        #expect(migrations[0].up.contains("CREATE TABLE a()"))
        #expect(!migrations[0].up.contains("DROP TABLE"))
        #expect(migrations[0].down?.contains("DROP TABLE a") == true)
    }

    @Test func diesel() throws {
        let dir = try folder([
            "2024-01-01-000000_create/up.sql": "CREATE TABLE a();", "2024-01-01-000000_create/down.sql": "DROP TABLE a;",
            "2024-01-02-000000_index/up.sql": "CREATE INDEX CONCURRENTLY i ON a (x);",
            "2024-01-02-000000_index/down.sql": "DROP INDEX i;",
            "2024-01-02-000000_index/metadata.toml": "run_in_transaction = false\n",
        ])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .diesel)
        #expect(migrations.map(\.name) == ["create", "index"])
        #expect(migrations.map(\.transactional) == [true, false])
    }

    @Test func plainNumbered() throws {
        let dir = try folder(["001_init.sql": "a", "2.sql": "b", "0010-later.sql": "c"])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .plain)
        #expect(migrations.map(\.version) == ["1", "2", "10"])
        #expect(migrations.allSatisfy { $0.down == nil })
    }

    @Test func errorsNameTheFile() throws {
        let mixed = try folder(["V1__a.sql": "a", "notes.sql": "b"])
        do {
            _ = try MigrationLoader.load(dir: mixed)
            Issue.record("expected an error")
        } catch {
            #expect(error.file.hasSuffix("notes.sql"))
        }
        let duplicate = try folder(["1_a.up.sql": "a", "01_b.up.sql": "b"])
        #expect(throws: MigrationError.self) { try MigrationLoader.load(dir: duplicate) }
        let noUp = try folder(["1_a.sql": "-- migrate:up\nx\n", "2_b.sql": "plain"])
        #expect(throws: MigrationError.self) { try MigrationLoader.load(dir: noUp) }
        let empty = try folder([:])
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: MigrationError.self) { try MigrationLoader.load(dir: empty) }
    }
}
