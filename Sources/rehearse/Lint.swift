import ArgumentParser
import Foundation
import RehearseSupport
import RehearseScenario

struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and validate scenario files without running them.")

    @Argument(help: "Scenario files, or folders of them.")
    var paths: [String]

    func run() async throws {
        let files: [URL]
        do { files = try scenarioFiles(paths) } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        let suite = ScenarioSuite.load(files: files)
        for error in suite.errors { printError("\(error)") }
        if !suite.errors.isEmpty { throw ExitCode(ExitStatus.invalid) }
        print("\(files.count) scenario file\(files.count == 1 ? "" : "s") valid")
    }
}
