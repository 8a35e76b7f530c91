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

    /// A checkout (a folder with `.git`) whose second migration is `second`.
    static func checkout(_ root: URL, second: String) throws {
        for dir in [".git", "db/migrations", "rehearse"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        let files = [
            "db/migrations/1_init.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
            "db/migrations/2_next.up.sql": second,
            "rehearse/deploy.yaml": "name: deploy\nsteps:\n  - name: migrate\n    migrate: {dir: ../db/migrations}\n",
        ]
        for (path, text) in files { try text.write(to: root.appendingPathComponent(path), atomically: false, encoding: .utf8) }
    }

    static let broken = "ALTER TABLE accounts ADD COLUMN note text;\n\nUPDATE accounts\n   SET note = upper(nosuch);\n"

    /// What one run of the step left: its exit code, its log, its workflow commands, its
    /// outputs, the step summary and the runner's temporary folder.
    struct StepRun {
        var code: Int32
        var log: String
        var commands: [Substring] { log.split(separator: "\n").filter { $0.hasPrefix("::") } }
        var outputs: String
        var summary: String
        var temp: URL
    }

    /// Runs the step in `workspace`, the pull request in `pr/` (and the base in `base/`, if there).
    static func runStep(in workspace: URL) async throws -> StepRun {
        let binary = Repository.rehearseBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        let temp = workspace.appendingPathComponent("runner-temp")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        let script = temp.appendingPathComponent("step.sh")
        try ("cd '\(workspace.path)'\n" + (try rehearseStep())).write(to: script, atomically: false, encoding: .utf8)
        let output = workspace.appendingPathComponent("github-output")
        let summary = workspace.appendingPathComponent("summary.md")
        var environment = ProcessInfo.processInfo.environment
        environment.merge(
            [
                "GITHUB_OUTPUT": output.path, "GITHUB_STEP_SUMMARY": summary.path, "RUNNER_TEMP": temp.path, "REHEARSE": binary.path,
                "SCENARIOS": "rehearse", "CURRENT": "pr", "BASE": "base", "BASELINES": "results/baselines", "REPEAT": "1", "THRESHOLD": "",
            ], uniquingKeysWith: { _, new in new })
        let (termination, log) = try await ChildProcess.run(["bash", "-eo", "pipefail", script.path], environment: environment)
        return StepRun(
            code: termination.exitCode, log: log, outputs: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            summary: (try? String(contentsOf: summary, encoding: .utf8)) ?? "", temp: temp)
    }

    /// No base checkout and no stored baselines: the pull request's run alone, its failure annotated.
    @Test func aFailingMigrationIsAnnotatedOnItsLine() async throws {
        let workspace = try TemporaryFolder(prefix: "rh-action")
        try Self.checkout(workspace.url.appendingPathComponent("pr"), second: Self.broken)
        let run = try await Self.runStep(in: workspace.url)
        #expect(run.code == 1, "\(run.log)")
        #expect(
            run.commands.contains {
                $0.hasPrefix("::error file=db/migrations/2_next.up.sql,line=4,col=21,title=rehearse%3A migration failed in deploy")
            }, "\(run.log)")
        #expect(
            run.commands.contains { $0.hasPrefix("::error file=rehearse/deploy.yaml,title=rehearse%3A deploy%3A expectation not met::") },
            "\(run.log)")
        #expect(run.outputs.contains("mode=baseline\n") && run.outputs.contains("exit-code=1\n"), "\(run.outputs)")
        #expect(run.summary.contains("deploy: blocked"), "\(run.summary)")
        #expect(FileManager.default.fileExists(atPath: run.temp.appendingPathComponent("rehearse/report.html").path))
    }

    /// The base branch checked out beside the pull request: both run with `rehearse ab`, the
    /// comparison goes to the summary, and the step that started failing is annotated on its line.
    @Test func withTheBaseCheckedOutBothRunSideBySide() async throws {
        let workspace = try TemporaryFolder(prefix: "rh-action-ab")
        try Self.checkout(workspace.url.appendingPathComponent("base"), second: "ALTER TABLE accounts ADD COLUMN note text;\n")
        try Self.checkout(workspace.url.appendingPathComponent("pr"), second: Self.broken)
        let run = try await Self.runStep(in: workspace.url)
        #expect(run.code == 1, "\(run.log)")
        #expect(run.outputs.contains("mode=ab\n") && run.outputs.contains("exit-code=1\n"), "\(run.outputs)")
        #expect(run.summary.contains("## rehearse: comparison with baseline") && run.summary.contains("ok → failed"), "\(run.summary)")
        #expect(
            run.commands.contains {
                $0.hasPrefix("::error file=rehearse/deploy.yaml,line=3,title=rehearse%3A regression in deploy%2C migrate::ok → failed")
            }, "\(run.log)")
        #expect(run.commands.contains { $0.hasPrefix("::error file=db/migrations/2_next.up.sql,line=4,col=21,") }, "\(run.log)")
        #expect(FileManager.default.fileExists(atPath: run.temp.appendingPathComponent("rehearse/base").path))
    }

    @Test func anInvalidScenarioIsAnnotatedAndNothingRuns() async throws {
        let workspace = try TemporaryFolder(prefix: "rh-action-lint")
        let pr = workspace.url.appendingPathComponent("pr")
        try Self.checkout(pr, second: Self.broken)
        try "name: deploy\nsteps:\n  - name: migrate\n    migrate: {dri: ../db/migrations}\n".write(
            to: pr.appendingPathComponent("rehearse/deploy.yaml"), atomically: false, encoding: .utf8)
        let run = try await Self.runStep(in: workspace.url)
        #expect(run.code == 2, "\(run.log)")
        #expect(run.commands.contains { $0.hasPrefix("::error file=rehearse/deploy.yaml,line=4,col=15,title=rehearse lint") }, "\(run.log)")
        #expect(run.outputs == "exit-code=2\n", "\(run.outputs)")
        #expect(!FileManager.default.fileExists(atPath: run.temp.appendingPathComponent("rehearse/current").path))
    }
}
