import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseSQL


@Suite("Migration layouts")
final class MigrationLayoutTests {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("migration-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// A fresh folder holding `files` (relative paths; folders are created).
    private func folder(_ files: [String: String], _ name: String = #function) throws -> URL {
        let dir = root.appendingPathComponent(name.filter { $0.isLetter || $0.isNumber } + "-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (path, text) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return dir
    }

    /// The error loading `files` gives, checked to name `file` (relative to the folder).
    private func loadError(_ files: [String: String], names file: String?, _ name: String = #function) throws -> MigrationError {
        let dir = try folder(files, name)
        let error = try #require(throws: MigrationError.self) { try MigrationLoader.load(dir: dir) }
        if let file {
            #expect(error.file == dir.appendingPathComponent(file).path, "\(error)")
        }
        return error
    }

    // MARK: versions

    @Test func versionsCompareSegmentBySegment() throws {
        func v(_ s: String) -> MigrationVersion { MigrationVersion(s)! }
        #expect(v("1") < v("2") && v("2") < v("10"))
        #expect(v("1.1") < v("1.2") && v("1.2") < v("1.10") && v("1.10") < v("2"))
        #expect(v("1_2") == v("1.2"))
        #expect(v("001") == v("1") && v("1.0") == v("1") && v("1.0").hashValue == v("1").hashValue)
        #expect(v("99999999999999999999999") > v("20240101120000"))
        #expect(v("1") < v("1.0.1"))
        #expect(MigrationVersion("1a") == nil && MigrationVersion("") == nil && MigrationVersion("1..2") == nil)
        #expect(v("0003").description == "3")
    }

    /// `to:` is matched with the loader's own version type: the version as the file or folder spells it.
    @Test func toTakesTheVersionAsTheFolderSpellsIt() throws {
        let diesel = try MigrationLoader.load(
            dir: try folder(
                [
                    "2023-12-05-100000_a/up.sql": "", "2023-12-06-180359_b/up.sql": "", "2024-01-01-000000_c/up.sql": "",
                ], "diesel")
        ).1
        #expect(MigrationPlan.last("2023-12-06-180359", in: diesel) == 1)
        #expect(MigrationPlan.last("20231206180359", in: diesel) == 1)
        #expect(MigrationPlan.last("2023-12-06", in: diesel) == nil)
        let flyway = try MigrationLoader.load(dir: try folder(["V1__a.sql": "", "V1_2__b.sql": "", "V2__c.sql": ""], "flyway")).1
        #expect(MigrationPlan.last("1.2", in: flyway) == 1 && MigrationPlan.last("1_2", in: flyway) == 1)
        let golang = try MigrationLoader.load(dir: try folder(["000042_a.up.sql": "", "000043_b.up.sql": ""], "golang")).1
        #expect(MigrationPlan.last("000043", in: golang) == 1 && MigrationPlan.last("43", in: golang) == 1)
        #expect(MigrationPlan.last("44", in: golang) == nil && MigrationPlan.last("latest-ish", in: golang) == nil)
        #expect(MigrationVersion("-1") == nil && MigrationVersion("1--2") == nil && MigrationVersion("2023-12-06")! < v("20231206000000"))
        func v(_ s: String) -> MigrationVersion { MigrationVersion(s)! }
    }

    /// Each layout's transaction rule, as its tool has it.
    @Test func transactionRules() throws {
        #expect(MigrationTransaction.golangMigrate("CREATE INDEX CONCURRENTLY i ON t (a);\n") == .singleQuery)
        #expect(MigrationTransaction.golangMigrate("-- morph:nontransactional\nCREATE INDEX CONCURRENTLY i ON t (a);") == .none)
        #expect(MigrationTransaction.golangMigrate("SELECT 1; -- morph:nontransactional") == .singleQuery)
        #expect(MigrationTransaction.flyway("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);") == .wrapped)
        #expect(MigrationTransaction.flyway("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);\nVACUUM t;") == .none)
        #expect(MigrationTransaction.flyway("CREATE TABLE t (a int);\n\n  create index\n concurrently i ON t (a);") == .mixed(line: 3))
        #expect(MigrationTransaction.refusesTransactionBlock("REINDEX (VERBOSE) TABLE CONCURRENTLY t"))
        #expect(MigrationTransaction.refusesTransactionBlock("ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY"))
        #expect(!MigrationTransaction.refusesTransactionBlock("ALTER TABLE p DETACH PARTITION p1"))
        #expect(!MigrationTransaction.refusesTransactionBlock("CREATE INDEX concurrently_named ON t (a)"))
        #expect(MigrationTransaction.singleQuery.isTransactional("SELECT 1; SELECT 2;"))
        #expect(!MigrationTransaction.singleQuery.isTransactional("-- c\nDROP INDEX CONCURRENTLY i;"))
        #expect(MigrationTransaction.mixed(line: 2).overridden(by: nil, mixedAllowed: true) == .none)
        #expect(MigrationTransaction.singleQuery.overridden(by: .perFile, mixedAllowed: false) == .wrapped)
        #expect(MigrationTransaction.wrapped.overridden(by: TransactionOverride.none, mixedAllowed: false) == .none)
        let golang = try MigrationLoader.load(
            dir: try folder(
                [
                    "1_a.up.sql": "-- morph:nontransactional\nCREATE INDEX CONCURRENTLY i ON t (a);",
                    "1_a.down.sql": "DROP INDEX i;",
                ], "golang")
        ).1
        #expect(golang[0].upTransaction == .none && golang[0].downTransaction == .singleQuery)
    }

    @Test func flywayRepeatablesComeAfterTheVersionedOnes() throws {
        let dir = try folder([
            "R__views.sql": "CREATE OR REPLACE VIEW v AS SELECT 1;", "R__a_function.sql": "SELECT 1;",
            "V2__b.sql": "", "V1__a.sql": "",
        ])
        let migrations = try MigrationLoader.load(dir: dir).1
        #expect(migrations.map(\.name) == ["a", "b", "a_function", "views"])
        #expect(migrations.map(\.repeatable) == [false, false, true, true])
        #expect(MigrationPlan.pending(migrations, applied: [], to: "1")?.map(\.element.name) == ["a", "a_function", "views"])
    }

    // MARK: Flyway

    @Test func flyway() throws {
        let dir = try folder([
            "V1__init.sql": "CREATE TABLE a (id int);",
            "V1.1__add_b.sql": "CREATE TABLE b (id int);",
            "V1_2__add_c.sql": "CREATE TABLE c (id int);",
            "V2__two.sql": "SELECT 2;",
            "V10__ten.sql": "SELECT 10;",
            "U1__init.sql": "DROP TABLE a;",
            "U10__ten.sql": "SELECT -10;",
            "README.md": "notes",
            ".DS_Store": "",
        ])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .flyway)
        #expect(migrations.map(\.version) == ["1", "1.1", "1.2", "2", "10"])
        #expect(migrations.map(\.name) == ["init", "add_b", "add_c", "two", "ten"])
        #expect(migrations[0].up == "CREATE TABLE a (id int);")
        #expect(migrations[0].down == "DROP TABLE a;")
        #expect(migrations[0].downFile?.lastPathComponent == "U1__init.sql")
        #expect(migrations[1].down == nil && migrations[1].downFile == nil)
        #expect(migrations[4].down == "SELECT -10;")
        #expect(migrations.allSatisfy { $0.upTransaction == .wrapped && $0.downTransaction == .wrapped })
        #expect(migrations[2].upFile.lastPathComponent == "V1_2__add_c.sql")
    }

    @Test func flywayErrors() throws {
        var error = try loadError(["V1__a.sql": "", "U2__b.sql": ""], names: "U2__b.sql")
        #expect(error.message.contains("without a migration of version 2"))
        error = try loadError(["V1__a.sql": "", "V1.0__b.sql": ""], names: "V1__a.sql")
        #expect(error.message.contains("duplicate version"))
        #expect(error.message.contains("V1.0__b.sql"))
        error = try loadError(["V1__a.sql": "", "V2_b.sql": ""], names: "V2_b.sql")
        #expect(error.message.contains("not a migration file name"))
    }

    // MARK: golang-migrate

    @Test func golangMigrate() throws {
        let dir = try folder([
            "1_create_users.up.sql": "CREATE TABLE users (id int);",
            "1_create_users.down.sql": "DROP TABLE users;",
            "2_add_email.up.sql": "ALTER TABLE users ADD email text;",
            "10_index.up.sql": "CREATE INDEX ON users (email);",
            "10_index.down.sql": "DROP INDEX users_email_idx;",
        ])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .golangMigrate)
        #expect(migrations.map(\.version) == ["1", "2", "10"])
        #expect(migrations.map(\.name) == ["create_users", "add_email", "index"])
        #expect(migrations.map { $0.down != nil } == [true, false, true])
        #expect(migrations[2].downFile?.lastPathComponent == "10_index.down.sql")
    }

    @Test func golangMigrateTimestampsAndErrors() throws {
        let dir = try folder([
            "20240102000000_b.up.sql": "", "20240101000000_a.up.sql": "", "20231231235959_z.up.sql": "",
        ])
        #expect(try MigrationLoader.load(dir: dir).1.map(\.name) == ["z", "a", "b"])
        var error = try loadError(["1_a.up.sql": "", "2_b.down.sql": ""], names: "2_b.down.sql")
        #expect(error.message.contains("without a migration of version 2"))
        error = try loadError(["1_a.up.sql": "", "001_b.up.sql": ""], names: "1_a.up.sql")
        #expect(error.message.contains("duplicate version 1"))
        error = try loadError(["1_a.up.sql": "", "1_a.down.sql": "", "01_b.down.sql": ""], names: "1_a.down.sql")
        #expect(error.message.contains("a second down migration"))
    }

    // MARK: dbmate

    @Test func dbmate() throws {
        let dir = try folder([
            "20240101000000_create_leads.sql": """
            -- migrate:up
            CREATE TABLE leads (id int);

            -- migrate:down
            DROP TABLE leads;
            """,
            "20240201000000_index_leads.sql": """
            -- a comment before the section is fine
            -- migrate:up transaction:false
            CREATE INDEX CONCURRENTLY leads_id ON leads (id);
            -- migrate:down
            """,
            "20240301000000_no_down.sql": "--migrate:up\r\nSELECT 1;\r\n",
        ])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .dbmate)
        #expect(migrations.map(\.version) == ["20240101000000", "20240201000000", "20240301000000"])
        #expect(migrations.map(\.name) == ["create_leads", "index_leads", "no_down"])
        #expect(migrations.map(\.upTransaction) == [.wrapped, .none, .wrapped])
        // Sections keep the file's line numbers.
        #expect(migrations[0].up == "\nCREATE TABLE leads (id int);\n")
        #expect(migrations[0].down == "\n\n\n\nDROP TABLE leads;")
        #expect(migrations[0].downFile == migrations[0].upFile)
        #expect(SQLScript.statements(migrations[1].up).map(\.line) == [3])
        // An empty down section is a down that does nothing; no section is no down.
        #expect(migrations[1].down == "\n\n\n\n" && migrations[1].downFile == migrations[1].upFile)
        #expect(migrations[2].down == nil && migrations[2].downFile == nil)
        #expect(migrations[2].up == "\nSELECT 1;\n")
    }

    @Test func dbmateErrors() throws {
        var error = try loadError(
            ["1_a.sql": "-- migrate:up\nSELECT 1;", "2_b.sql": "SELECT 2;"], names: "2_b.sql")
        #expect(error.message.contains("-- migrate:up"))
        error = try loadError(["1_a.sql": "-- migrate:down\nSELECT 1;\n-- migrate:up\n"], names: "1_a.sql")
        #expect(error.line == 1)
        #expect(error.message.contains("before `-- migrate:up`"))
        error = try loadError(["1_a.sql": "\n-- migrate:up transaction:maybe\nSELECT 1;"], names: "1_a.sql")
        #expect(error.line == 2)
        #expect(error.message.contains("transaction:maybe"))
        error = try loadError(["1_a.sql": "SELECT 0;\n-- migrate:up\nSELECT 1;"], names: "1_a.sql")
        #expect(error.line == 1)
        error = try loadError(["1_a.sql": "-- migrate:up\n-- migrate:down\n-- migrate:up\n"], names: "1_a.sql")
        #expect(error.line == 3)
        error = try loadError(["1_a.sql": "-- migrate:up\n", "01_b.sql": "-- migrate:up\n"], names: "1_a.sql")
        #expect(error.message.contains("duplicate version"))
    }

    // MARK: diesel

    @Test func diesel() throws {
        let dir = try folder([
            "00000000000000_diesel_initial_setup/up.sql": "CREATE FUNCTION diesel_manage_updated_at() …",
            "00000000000000_diesel_initial_setup/down.sql": "DROP FUNCTION diesel_manage_updated_at;",
            "2017-12-19-233223_create_users/up.sql": "CREATE TABLE users (id int);",
            "2017-12-19-233223_create_users/down.sql": "DROP TABLE users;",
            "2018-01-01-000000_index_users/up.sql": "CREATE INDEX CONCURRENTLY users_id ON users (id);",
            "2018-01-01-000000_index_users/metadata.toml": "# diesel\nrun_in_transaction = false # concurrently\n",
            "2017-12-20-000000_up_only/up.sql": "SELECT 1;",
            "2017-12-20-000000_up_only/metadata.toml": "run_in_transaction=true\r\n[other]\nrun_in_transaction = false\n",
            ".keep": "",
        ])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .diesel)
        #expect(migrations.map(\.version) == ["00000000000000", "20171219233223", "20171220000000", "20180101000000"])
        #expect(migrations.map(\.name) == ["diesel_initial_setup", "create_users", "up_only", "index_users"])
        #expect(migrations.map(\.upTransaction) == [.wrapped, .wrapped, .wrapped, .none])
        #expect(migrations.map { $0.down != nil } == [true, true, false, false])
        #expect(migrations[1].upFile.path.hasSuffix("2017-12-19-233223_create_users/up.sql"))
        #expect(migrations[1].downFile?.lastPathComponent == "down.sql")
    }

    @Test func dieselErrors() throws {
        var error = try loadError(
            ["2017-12-19-233223_create_users/up.sql": "", "2018-01-01-000000_broken/down.sql": ""],
            names: "2018-01-01-000000_broken")
        #expect(error.message.contains("up.sql"))
        error = try loadError(["1_a/up.sql": "", "2_b.sql": ""], names: "2_b.sql")
        #expect(error.message.contains("mixed layouts"))
        error = try loadError(["1_a/up.sql": "", "scripts/x.sql": ""], names: "scripts")
        #expect(error.message.contains("diesel folders are named"))
        error = try loadError(["1_a/up.sql": "", "1_a/metadata.toml": "\nrun_in_transaction = no\n"], names: "1_a/metadata.toml")
        #expect(error.line == 2)
    }

    // MARK: plain

    @Test func plain() throws {
        let dir = try folder([
            "001_create.sql": "CREATE TABLE t (id int);",
            "2.sql": "SELECT 2;",
            "0003-add-index.sql": "CREATE INDEX ON t (id);",
            "10_ten.sql": "SELECT 10;",
        ])
        let (layout, migrations) = try MigrationLoader.load(dir: dir)
        #expect(layout == .plain)
        #expect(migrations.map(\.version) == ["001", "2", "0003", "10"])
        #expect(migrations.map(\.name) == ["create", "", "add-index", "ten"])
        #expect(migrations.allSatisfy { $0.down == nil && $0.downFile == nil && $0.upTransaction == .wrapped })
        #expect(migrations[0].up == "CREATE TABLE t (id int);")
    }

    // MARK: folder-level errors

    @Test func folderErrors() throws {
        var error = try loadError([:], names: "")
        #expect(error.message.contains("no migrations"))
        error = try loadError(["README.md": "# migrations"], names: "")
        #expect(error.message.contains("no migrations"))
        error = try loadError(["1_a.sql": "", "create_users.sql": ""], names: "create_users.sql")
        #expect(error.message.contains("not a migration file name"))
        error = try loadError(["1_a.sql": "", "schema.yaml": ""], names: "schema.yaml")
        error = try loadError(["V1__a.sql": "", "2_b.up.sql": ""], names: "V1__a.sql")
        #expect(error.message.contains("mixed layouts"))
        #expect(error.message.contains("2_b.up.sql"))
        error = try loadError(["1_a.up.sql": "", "2_b.sql": ""], names: "2_b.sql")
        #expect(error.message.contains("mixed layouts"))
        error = try loadError(["1_a.sql": "", "01_b.sql": ""], names: "1_a.sql")
        #expect(error.message.contains("duplicate version 1"))
        #expect(error.message.contains("01_b.sql"))
        let missing = root.appendingPathComponent("absent")
        #expect(throws: MigrationError(file: missing.path, message: "the migrations folder does not exist")) {
            try MigrationLoader.load(dir: missing)
        }
        let bytes = try folder([:])
        try Data([0x53, 0xFF, 0x3B]).write(to: bytes.appendingPathComponent("1_a.sql"))
        let utf8 = try #require(throws: MigrationError.self) { try MigrationLoader.load(dir: bytes) }
        #expect(utf8.message.contains("UTF-8"))
    }
}
