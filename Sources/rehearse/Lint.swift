import ArgumentParser
import Foundation
import RehearseScenario
import RehearseSupport

struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and validate scenario files without running them.")

    @Argument(help: "Scenario files, or folders of them.")
    var paths: [String]

    @Option(help: "Output format: text, or github (a workflow command that annotates each problem's line).")
    var format: String = "text"

    func validate() throws {
        if format != "text" && format != "github" { throw ValidationError("--format: '\(format)' is not one of text, github") }
    }

    func run() async throws {
        let files: [URL]
        do { files = try scenarioFiles(paths) } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        let suite = ScenarioSuite.load(files: files)
        if format == "github" { print(githubAnnotations(suite.errors), terminator: "") }
        for error in suite.errors { printError("\(error)") }
        if !suite.errors.isEmpty { throw ExitCode(ExitStatus.invalid) }
        print("\(files.count) scenario file\(files.count == 1 ? "" : "s") valid")
    }
}
