import Foundation
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseReport
@testable import RehearseResults


@Suite("HTML report")
struct HTMLReportTests {
    @Test func rendersChartsForEveryStepAndTheTimeline() throws {
        let current = SampleResults.document(SampleResults.Options(latencyScale: 1.4, seed: 7))
        let baseline = SampleResults.document()
        let html = HTMLReport.render(documents: [current], baseline: [baseline])
        #expect(html.hasPrefix("<!doctype html>") && html.hasSuffix("</html>\n"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 4)
        #expect(html.components(separatedBy: "<svg").count == html.components(separatedBy: "</svg>").count)
        #expect(html.contains("baseline") && html.contains("lock add_on_rates"))
        // Self-contained: nothing to fetch.
        #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("url(http"))
        #expect(!html.contains("<script"))
        // `REHEARSE_SAMPLE_HTML=/tmp/report.html swift test --filter HTMLReport` writes the page to look at.
        if let path = ProcessInfo.processInfo.environment["REHEARSE_SAMPLE_HTML"] {
            try html.write(toFile: path, atomically: false, encoding: .utf8)
            try ResultsCoding.encoder().encode(current).write(to: URL(fileURLWithPath: path + ".current.json"))
            try ResultsCoding.encoder().encode(baseline).write(to: URL(fileURLWithPath: path + ".baseline.json"))
        }
    }

    @Test func escapesEverythingItShows() {
        var evil = SampleResults.document(SampleResults.Options(repetitions: 1, checkPasses: false))
        evil.scenario.name = "<script>alert('name')</script>"
        evil.reasons.append("<script>alert(1)</script>")
        evil.repetitions[0].steps[0].name = "<img src=x onerror=alert(2)>"
        evil.repetitions[0].steps[0].kind = "<b>kind</b>"
        evil.repetitions[0].checks[0].phase = "<i>phase</i>"
        evil.repetitions[0].faults[0].kind = "<u>lock</u>"
        evil.repetitions[0].rollback.differences[0].change = "<em>removed</em>"
        evil.repetitions[0].steps[1].errors = ["<x>": 1]
        let html = HTMLReport.render(documents: [evil])
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert("))
        for raw in ["<img", "<b>kind", "<i>phase", "<u>lock", "<em>removed", "<x>"] {
            #expect(!html.contains(raw), "\(raw)")
        }
    }

    @Test func aRunWithoutLatenciesStillRenders() {
        var doc = SampleResults.document(SampleResults.Options(repetitions: 1))
        for s in doc.repetitions[0].steps.indices {
            doc.repetitions[0].steps[s].histogram = nil
            doc.repetitions[0].steps[s].timeline = nil
        }
        doc.summary.steps = [:]
        let html = HTMLReport.render(documents: [doc])
        #expect(html.contains("Steps") && !html.contains("<svg"))
    }
}
