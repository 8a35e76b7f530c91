import ArgumentParser
import Foundation
import RehearseSupport
import RehearseReport
import RehearseResults

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render results as one self-contained HTML page with latency charts.",
        discussion: "Give one run (files or folders), or --baseline and the current run to see them side by side.")

    @Argument(help: "Results files or folders.") var results: [String]
    @Option(help: "The HTML file to write.") var html: String
    @Option(help: "Baseline results (file or folder) to overlay.") var baseline: String?

    func run() async throws {
        do {
            let documents = try results.flatMap(ResultsLoader.load)
            let base = try baseline.map(ResultsLoader.load)
            let page = HTMLReport.render(documents: Array(Comparator.newestByScenarioList(documents)), baseline: base)
            try ResultsWriter.writeAtomically(Data(page.utf8), to: URL(fileURLWithPath: html))
            print("wrote \(html)")
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
    }
}
