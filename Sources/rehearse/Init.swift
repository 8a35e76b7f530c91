import ArgumentParser
import Foundation
import RehearseScenario
import RehearseSupport

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter scenario and a GitHub workflow for the migrations found in this project.",
        discussion: """
            Looks for a migrations folder (a folder whose name speaks of migrations, up to 5 levels \
            down, in a layout rehearse applies: Flyway, golang-migrate, dbmate, diesel, plain) and \
            writes SCENARIOS/deploy.yaml, which applies them all (checking each down and rehearsing \
            the rollback when every migration has one), and .github/workflows/rehearse.yml, which runs \
            it on every pull request with rehearse's GitHub Action. Never overwrites a file: exits 2 \
            and writes nothing when either exists.
            """)

    @Option(help: "The project's root.") var dir: String = "."
    @Option(help: "The migrations folder, relative to the root (default: the one found).") var migrations: String?
    @Option(help: "Where the scenario goes, relative to the root.") var scenarios: String = "scenarios"
    @Option(help: "The action the workflow uses (OWNER/REPO@REF of rehearse's repository).") var action: String = Starter.action
    @Flag(help: "Write the scenario only, no workflow.") var noWorkflow = false

    func run() async throws {
        let root = URL(fileURLWithPath: dir).standardizedFileURL
        var found: Starter.Migrations?
        if let migrations {
            found = Starter.migrations(at: root.appendingPathComponent(migrations), root: root)
            guard found != nil else {
                printError(
                    "rehearse: \(migrations): not a migrations folder rehearse can apply (try `rehearse lint` on a scenario that names it)")
                throw ExitCode(ExitStatus.invalid)
            }
        } else {
            found = Starter.findMigrations(in: root)
        }
        let folder = scenarios.split(separator: "/").joined(separator: "/")
        var files = [(folder + "/deploy.yaml", Starter.scenario(found, scenarios: folder))]
        if !noWorkflow { files.append((".github/workflows/rehearse.yml", Starter.workflow(scenarios: folder, action: action))) }
        let existing = files.map(\.0).filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        guard existing.isEmpty else {
            printError("rehearse: \(existing.joined(separator: " and ")) already exist\(existing.count == 1 ? "s" : ""): nothing written")
            throw ExitCode(ExitStatus.invalid)
        }
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                // `withoutOverwriting`: a file that appeared since the check is not replaced either.
                try Data(text.utf8).write(to: url, options: .withoutOverwriting)
            } catch {
                printError("rehearse: cannot write \(path): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.invalid)
            }
            print("wrote \(path)")
        }
        if let found {
            print("found \(found.count) \(found.layout) migrations in \(found.path)")
        } else {
            print("found no migrations folder: \(folder)/deploy.yaml has an SQL step to replace")
        }
        print("next: rehearse lint \(folder)/ && rehearse run \(folder)/")
    }
}
