import ArgumentParser
import Foundation
import RehearseReport
import RehearseResults
import RehearseSupport

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render results as one self-contained HTML page with latency charts, or as OpenMetrics text.",
        discussion: """
            Give one run (files or folders), or --baseline and the current run to see them side by side. \
            --openmetrics writes per step the latency percentiles, duration, throughput, error ratio and \
            work counters for a Prometheus Pushgateway or scraper ('-' for standard output).
            """)

    @Argument(help: "Results files or folders.") var results: [String]
    @Option(help: "The HTML file to write.") var html: String?
    @Option(help: "The OpenMetrics text file to write ('-' for standard output).") var openmetrics: String?
    @Option(help: "Baseline results (file or folder) to overlay.") var baseline: String?

    func validate() throws {
        if html == nil && openmetrics == nil { throw ValidationError("give --html FILE, --openmetrics FILE or both") }
    }

    func run() async throws {
        do {
            let documents = try results.flatMap(ResultsLoader.load)
            let base = try baseline.map(ResultsLoader.load)
            let newest = Comparator.newestByScenarioList(documents)
            if let html {
                let page = HTMLReport.render(documents: newest, baseline: base)
                try ResultsWriter.writeAtomically(Data(page.utf8), to: URL(fileURLWithPath: html))
                print("wrote \(html)")
            }
            if let openmetrics { try writeOpenMetrics(newest, to: openmetrics) }
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
    }
}
