import ArgumentParser
import Foundation
import Rehearse

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
        var problems = 0
        var names: [String: URL] = [:]
        for file in files {
            let errors = ScenarioLinter.lint(file: file)
            for error in errors { printError("\(error)") }
            problems += errors.count
            if errors.isEmpty, let scenario = try? ScenarioLoader.load(file: file) {
                if let other = names[scenario.name] {
                    printError(
                        "\(file.relativePath):1:1: error: name: '\(scenario.name)' is also the name of \(other.relativePath); names are unique in a suite"
                    )
                    problems += 1
                }
                names[scenario.name] = file
            }
        }
        if problems > 0 { throw ExitCode(ExitStatus.invalid) }
        print("\(files.count) scenario file\(files.count == 1 ? "" : "s") valid")
    }
}
