import Foundation
import TestBasics
import Testing

@testable import RehearseScenario

/// `rehearse init`'s starter: the migrations folder found for each layout, and a scenario that
/// `lint` accepts as written (checked by the loader, the small schema validator's big brother).
@Suite("rehearse init starter")
struct StarterTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder(prefix: "rh-starter") }

    /// A project holding `files` (relative paths; folders are created).
    func project(_ files: [String: String]) throws -> URL {
        let root = folder.url.appendingPathComponent(UUID().uuidString)
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    /// Writes the starter into the project as `init` does and returns lint's errors.
    func lintedStarter(_ root: URL, _ found: Starter.Migrations?) throws -> [ScenarioError] {
        let file = root.appendingPathComponent("scenarios/deploy.yaml")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(Starter.scenario(found, scenarios: "scenarios").utf8).write(to: file)
        return ScenarioLinter.lint(file: file)
    }

    static let layouts: [(files: [String: String], path: String, layout: String, reversible: Bool)] = [
        (
            ["db/migrations/1_a.up.sql": "CREATE TABLE a (id int);", "db/migrations/1_a.down.sql": "DROP TABLE a;"],
            "db/migrations", "golang-migrate", true
        ),
        (["src/main/resources/db/migration/V1__a.sql": "CREATE TABLE a (id int);"], "src/main/resources/db/migration", "flyway", false),
        (
            ["db/migrations/20240101_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n"],
            "db/migrations", "dbmate", true
        ),
        (
            [
                "migrations/2023-12-06-180359_a/up.sql": "CREATE TABLE a (id int);",
                "migrations/2023-12-06-180359_a/down.sql": "DROP TABLE a;",
            ],
            "migrations", "diesel", true
        ),
        (
            ["sql/migrations/001_a.sql": "CREATE TABLE a (id int);", "sql/migrations/002_b.sql": "SELECT 1;"], "sql/migrations", "plain",
            false
        ),
    ]

    @Test(arguments: 0..<layouts.count)
    func findsTheMigrationsOfEachLayoutAndWritesAScenarioLintAccepts(_ i: Int) throws {
        let expected = Self.layouts[i]
        let root = try project(expected.files.merging(["README.md": "project\n"]) { a, _ in a })
        let found = try #require(Starter.findMigrations(in: root))
        #expect(found.path == expected.path && found.layout == expected.layout && found.reversible == expected.reversible, "\(found)")
        let errors = try lintedStarter(root, found)
        #expect(errors.isEmpty, "\(errors)")
        let text = Starter.scenario(found, scenarios: "scenarios")
        #expect(text.contains("migrate: {dir: ../\(expected.path)"))
        #expect(text.contains("verify_down: true") == expected.reversible && text.contains("via: down") == expected.reversible)
    }

    @Test func theShallowestMigrationsFolderWinsAndDependenciesAreNotSearched() throws {
        let root = try project([
            "node_modules/pkg/migrations/1_x.up.sql": "SELECT 1;",
            "a/b/migrations/1_x.up.sql": "SELECT 1;",
            "db/migrations/001_init.sql": "CREATE TABLE t (id int);",
            "docs/migration-guide/notes.md": "not migrations",
        ])
        #expect(Starter.findMigrations(in: root)?.path == "db/migrations")
    }

    @Test func withoutMigrationsTheStarterStillLints() throws {
        let root = try project(["README.md": "no migrations here\n"])
        #expect(Starter.findMigrations(in: root) == nil)
        let errors = try lintedStarter(root, nil)
        #expect(errors.isEmpty, "\(errors)")
    }

    /// The scenario against schema/scenario.schema.json and the workflow against GitHub's workflow
    /// schema, both with check-jsonschema (from PyPI, as .ci/run checks the examples).
    @Test func theReferenceValidatorAcceptsBothFiles() async throws {
        let root = try project([
            "db/migrations/1_a.up.sql": "CREATE TABLE a (id int);", "db/migrations/1_a.down.sql": "DROP TABLE a;",
        ])
        let scenario = try folder.file(Starter.scenario(Starter.findMigrations(in: root), scenarios: "scenarios"), name: "deploy.yaml")
        let workflow = try folder.file(Starter.workflow(scenarios: "scenarios", action: Starter.action), name: "rehearse.yml")
        let schema = Repository.root.appendingPathComponent("schema/scenario.schema.json").path
        let code = """
            import sys
            from check_jsonschema import main
            sys.argv = ["check-jsonschema"] + sys.argv[1:]
            main()
            """
        for arguments in [["--schemafile", schema, scenario.path], ["--builtin-schema", "vendor.github-workflows", workflow.path]] {
            let (status, output) = try await PythonTools.run(code, arguments)
            #expect(status == 0, "\(arguments): \(output)")
        }
    }
}
