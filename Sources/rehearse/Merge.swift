import ArgumentParser
import Foundation
import RehearseReport
import RehearseResults
import RehearseScenario
import RehearseSupport
import RehearseVerdict

struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the results of shards or load slices into one document per scenario (and version).",
        discussion: """
            Histograms are summed exactly; percentiles, targets, verdicts and expectations are judged \
            again on the whole from the targets and expect each document carries. Parts that do not \
            belong together (another scenario file, another server version, a repetition twice or \
            missing) are invalid input. Exit codes as `run` on the whole suite: 0 every scenario met \
            its expectation, 1 one did not, 2 invalid input.
            """)

    @Argument(help: "Results files, or folders of them (every *.json below).") var results: [String]
    @Option(help: "Where the merged documents go (results/<scenario>/…json under it).") var out: String
    @Flag(help: "Print the merged documents to stdout instead of the summary table.") var json = false

    func run() async throws {
        let documents: [ResultsDocument]
        do {
            let parts = try results.flatMap(ResultsLoader.loadWithFiles).map { ResultsMerger.Part(file: $0.file, document: $0.document) }
            let runID = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(10))
            documents = try ResultsMerger.merge(parts, runID: runID)
            let folder = URL(fileURLWithPath: out)
            // A scenario merged on several majors keeps them apart as `run` does (`….pg16.json`).
            let names = documents.map(\.scenario.name)
            for document in documents {
                let versioned = names.filter { $0 == document.scenario.name }.count > 1
                let suffix = PostgresVersions.fileSuffix(versioned ? document.postgresMajor : nil)
                let url = try ResultsWriter.write(document, under: folder, suffix: suffix)
                if !json {
                    printError("merged \(document.mergedFrom?.count ?? 0) documents of \(document.scenario.name) into \(url.relativePath)")
                }
            }
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        if json {
            let encoder = ResultsCoding.encoder()
            for document in documents {
                if let data = try? encoder.encode(document) { print(String(decoding: OutgoingText.json(data), as: UTF8.self)) }
            }
        } else {
            print(SummaryTable.render(documents), terminator: "")
        }
        if !documents.allSatisfy(\.expectation.met) { throw ExitCode(ExitStatus.notMet) }
    }
}
