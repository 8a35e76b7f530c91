import Foundation
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseResults

/// `rehearse compare --format github` on a document whose scenario lives in a git checkout:
/// the binary finds the lines in the scenario file and the migration's folder, and names both
/// relative to the checkout's root, as GitHub places annotations. No server is needed.
@Suite("compare --format github")
struct GitHubFormatTests {
    static let scenario = """
        name: reseed
        steps:
          - name: migrate
            migrate: {dir: ../db/migrations}
          - name: seed-rates
            sql: "SELECT 1"
          - name: backfill-codes
            sql: "SELECT 1"
          - name: app-traffic
            sql: "SELECT 1"
        checks:
          - name: add_on_rates_count_121
            row_count: accounts
            expect: 121
        targets:
          backfill-codes: ["p95 < 100ms"]
        expect:
          verdict: approved

        """

    @Test func annotatesTheMigrationsLineAndTheScenariosLines() async throws {
        let folder = try TemporaryFolder(prefix: "rh-github")
        let root = folder.url.appendingPathComponent("checkout")
        for dir in [".git", "db/migrations", "rehearse"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try "CREATE TABLE accounts (id int);\n".write(
            to: root.appendingPathComponent("db/migrations/1_init.up.sql"), atomically: false, encoding: .utf8)
        let file = root.appendingPathComponent("rehearse/reseed.yaml")
        try Self.scenario.write(to: file, atomically: false, encoding: .utf8)

        var doc = SampleResults.document(SampleResults.Options(name: "reseed", repetitions: 1, checkPasses: false))
        doc.scenario.file = file.path
        doc.expectation = .init(met: false, mismatches: ["verdict: expected approved, got blocked"])
        let m = try #require(doc.repetitions[0].steps.firstIndex { $0.name == "migrate" })
        doc.repetitions[0].steps[m].status = .failed
        doc.repetitions[0].steps[m].error = ErrorInfo(
            sqlstate: "42703", message: "column \"nosuch\" does not exist (at migrations/1_init.up.sql:1:8)",
            migration: "migrations/1_init.up.sql")
        doc.repetitions[0].targets = [TargetResult(step: "backfill-codes", target: "p95 < 100ms", actual: 180.5, passed: false)]
        let results = folder.url.appendingPathComponent("doc.json")
        try ResultsCoding.encoder().encode(doc).write(to: results)

        let binary = Repository.rehearseBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run([binary.path, "compare", results.path, results.path, "--format", "github"])
        #expect(termination.exitCode == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(
            lines.contains { $0.hasPrefix("::error file=rehearse/reseed.yaml,line=17,title=rehearse%3A reseed%3A expectation not met::") },
            "\(output)")
        #expect(
            lines.contains { $0.hasPrefix("::error file=db/migrations/1_init.up.sql,line=1,col=8,title=rehearse%3A migration failed") },
            "\(output)")
        #expect(
            lines.contains {
                $0.hasPrefix("::error file=rehearse/reseed.yaml,line=12,title=rehearse%3A check add_on_rates_count_121 failed::")
            }, "\(output)")
        #expect(
            lines.contains {
                $0.hasPrefix("::error file=rehearse/reseed.yaml,line=16,title=rehearse%3A target backfill-codes%3A p95 < 100ms missed::")
            }, "\(output)")
    }

    @Test func lintAnnotatesEachProblemWhereItIsWritten() async throws {
        let folder = try TemporaryFolder(prefix: "rh-github-lint")
        let root = folder.url.appendingPathComponent("checkout")
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("rehearse"), withIntermediateDirectories: true)
        let file = root.appendingPathComponent("rehearse/bad.yaml")
        try "name: bad\nsteps:\n  - name: s\n    sql: {fil: x.sql}\n".write(to: file, atomically: false, encoding: .utf8)
        let binary = Repository.rehearseBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run([binary.path, "lint", file.path, "--format", "github"])
        #expect(termination.exitCode == 2, "\(output)")
        #expect(
            output.contains("::error file=rehearse/bad.yaml,line=4,col=11,title=rehearse lint%3A steps[1].sql.fil::unknown key 'fil'"),
            "\(output)")
    }
}
