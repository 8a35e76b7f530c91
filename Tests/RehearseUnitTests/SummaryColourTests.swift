import Foundation
import TestBasics
import Testing

@testable import RehearseReport
@testable import RehearseResults

@Suite("Summary table colour")
struct SummaryColourTests {
    @Test func headlinesAreGreenOrRedOnlyWhenAsked() {
        var missed = SampleResults.document(SampleResults.Options(name: "missed", repetitions: 1))
        missed.expectation = .init(met: false, mismatches: ["verdict: expected blocked, got approved"])
        missed.scenario.name = "missed\u{1B}[2J"
        let met = SampleResults.document(SampleResults.Options(name: "met", repetitions: 1))
        let plain = SummaryTable.render([met, missed], colour: false)
        #expect(plain == SummaryTable.render([met, missed]))
        #expect(!plain.contains("\u{1B}"))
        let coloured = SummaryTable.render([met, missed], colour: true)
        #expect(coloured.contains("\u{1B}[32m✓ met: approved (as expected)\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[31m✗ missed\\u{1B}[2J: approved — expectation not met\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[31m  ✗ verdict: expected blocked, got approved\u{1B}[0m"))
        // The colours are the only escape codes: the scenario's own stays shown, not acted on.
        #expect(coloured.components(separatedBy: "\u{1B}[").count - 1 == 6)
    }
}
