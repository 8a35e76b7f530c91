import Foundation
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseResults

/// `rehearse init` and the shell completion scripts, through the built binary. No server.
@Suite("init and completion")
struct ConveniencesTests {
    func rehearse(_ arguments: [String]) async throws -> (Int32, String) {
        let binary = Repository.rehearseBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run([binary.path] + arguments)
        return (termination.exitCode, output)
    }

    @Test func initWritesAScenarioThatLintsAndNeverOverwrites() async throws {
        let folder = try TemporaryFolder(prefix: "rh-init")
        let root = folder.url.path
        let migrations = folder.url.appendingPathComponent("db/migration")
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
        try "CREATE TABLE a (id int);\n".write(to: migrations.appendingPathComponent("V1__a.sql"), atomically: false, encoding: .utf8)

        let (code, output) = try await rehearse(["init", "--dir", root])
        #expect(code == 0, "\(output)")
        #expect(output.contains("wrote scenarios/deploy.yaml") && output.contains("wrote .github/workflows/rehearse.yml"), "\(output)")
        #expect(output.contains("found 1 flyway migrations in db/migration"), "\(output)")
        let (lint, lintOutput) = try await rehearse(["lint", root + "/scenarios"])
        #expect(lint == 0, "\(lintOutput)")

        // A second init refuses, names the files, and leaves them as they were.
        let scenario = folder.url.appendingPathComponent("scenarios/deploy.yaml")
        try "# mine\n".write(to: scenario, atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent(".github/workflows/rehearse.yml"))
        let (again, againOutput) = try await rehearse(["init", "--dir", root])
        #expect(again == 2, "\(againOutput)")
        #expect(againOutput.contains("scenarios/deploy.yaml already exists: nothing written"), "\(againOutput)")
        #expect(try String(contentsOf: scenario, encoding: .utf8) == "# mine\n")
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".github/workflows/rehearse.yml").path))
    }

    /// argument-parser generates the scripts; each names the subcommands.
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) async throws {
        let (code, output) = try await rehearse(["--generate-completion-script", shell])
        #expect(code == 0, "\(output)")
        for command in ["run", "lint", "compare", "report", "init"] { #expect(output.contains(command), "\(shell): \(command)") }
        #expect(output.contains("openmetrics"), "\(shell)")
    }

    /// Colour only on a terminal (`script` gives the binary one), and never with `NO_COLOR` set.
    @Test func colourOnATerminalUnlessNoColor() async throws {
        let folder = try TemporaryFolder(prefix: "rh-colour")
        let base = folder.url.appendingPathComponent("base.json")
        let current = folder.url.appendingPathComponent("current.json")
        try ResultsCoding.encoder().encode(SampleResults.document()).write(to: base)
        try ResultsCoding.encoder().encode(SampleResults.document(SampleResults.Options(latencyScale: 3, seed: 9))).write(to: current)
        let command = "\(Repository.rehearseBinary.path) compare \(base.path) \(current.path)"
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        let (_, coloured) = try await ChildProcess.run(["script", "-qec", command, "/dev/null"], environment: environment)
        #expect(coloured.contains("\u{1B}[31m") && coloured.contains("regressed"), "\(coloured)")
        environment["NO_COLOR"] = "1"
        let (_, plain) = try await ChildProcess.run(["script", "-qec", command, "/dev/null"], environment: environment)
        #expect(!plain.contains("\u{1B}[") && plain.contains("regressed"), "\(plain)")
        // Not a terminal: no colour either.
        let (_, piped) = try await rehearse(["compare", base.path, current.path])
        #expect(!piped.contains("\u{1B}[") && piped.contains("regressed"), "\(piped)")
    }
}
