import Foundation
import TestBasics
import Testing

@testable import RehearseEngine

/// The GitHub Action's `Rehearse` step (action.yml), run here as the runner would run it: bash,
/// in a workspace with the pull request's checkout, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`
/// files, on a scenario whose migration fails on line 4. Its standard output must carry the
/// workflow commands that annotate that line, and the step must fail with rehearse's exit code.
@Suite("GitHub Action step")
struct ActionScriptTests {
    /// The `run: |` block of the step with `id: rehearse`, without its indentation.
    static func rehearseStep() throws -> String {
        let lines = try String(contentsOf: Repository.root.appendingPathComponent("action.yml"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let id = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "id: rehearse" })
        let run = try #require(lines[id...].firstIndex { $0.trimmingCharacters(in: .whitespaces) == "run: |" })
        let indent = lines[run].prefix { $0 == " " }.count + 2
        let body = lines[(run + 1)...].prefix { $0.isEmpty || $0.prefix { $0 == " " }.count >= indent }
        return body.map { String($0.dropFirst(min(indent, $0.count))) }.joined(separator: "\n")
    }

    @Test func aFailingMigrationIsAnnotatedOnItsLine() async throws {
        let binary = Repository.rehearseBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        let workspace = try TemporaryFolder(prefix: "rh-action")
        let pr = workspace.url.appendingPathComponent("pr")
        for dir in [".git", "db/migrations", "rehearse", "tmp"] {
            try FileManager.default.createDirectory(at: pr.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        func write(_ text: String, _ path: String) throws {
            try text.write(to: pr.appendingPathComponent(path), atomically: false, encoding: .utf8)
        }
        try write("CREATE TABLE accounts (id bigint PRIMARY KEY);\n", "db/migrations/1_init.up.sql")
        try write(
            "ALTER TABLE accounts ADD COLUMN note text;\n\nUPDATE accounts\n   SET note = upper(nosuch);\n", "db/migrations/2_broken.up.sql"
        )
        try write("name: deploy\nsteps:\n  - name: migrate\n    migrate: {dir: ../db/migrations}\n", "rehearse/deploy.yaml")
        try write("cd '\(workspace.url.path)'\n" + (try Self.rehearseStep()), "tmp/step.sh")

        let output = workspace.url.appendingPathComponent("github-output")
        let summary = workspace.url.appendingPathComponent("summary.md")
        var environment = ProcessInfo.processInfo.environment
        environment.merge(
            [
                "GITHUB_OUTPUT": output.path, "GITHUB_STEP_SUMMARY": summary.path, "RUNNER_TEMP": pr.appendingPathComponent("tmp").path,
                "REHEARSE": binary.path, "SCENARIOS": "rehearse", "CURRENT": "pr", "BASE": "base", "BASELINES": "results/baselines",
                "REPEAT": "1", "THRESHOLD": "",
            ], uniquingKeysWith: { _, new in new })
        let (termination, log) = try await ChildProcess.run(
            ["bash", "-eo", "pipefail", pr.appendingPathComponent("tmp/step.sh").path], environment: environment)
        #expect(termination.exitCode == 1, "\(log)")
        let commands = log.split(separator: "\n").filter { $0.hasPrefix("::") }
        #expect(
            commands.contains {
                $0.hasPrefix("::error file=db/migrations/2_broken.up.sql,line=4,col=21,title=rehearse%3A migration failed in deploy")
            }, "\(log)")
        #expect(
            commands.contains { $0.hasPrefix("::error file=rehearse/deploy.yaml,title=rehearse%3A deploy%3A expectation not met::") },
            "\(log)")
        let outputs = try String(contentsOf: output, encoding: .utf8)
        #expect(outputs.contains("mode=baseline\n") && outputs.contains("exit-code=1\n"), "\(outputs)")
        #expect(try String(contentsOf: summary, encoding: .utf8).contains("deploy: blocked"))
        #expect(FileManager.default.fileExists(atPath: pr.appendingPathComponent("tmp/rehearse/report.html").path))
    }
}
