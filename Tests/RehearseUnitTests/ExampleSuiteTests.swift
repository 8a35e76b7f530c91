import Foundation
import TestBasics
import Testing

@testable import RehearseScenario

/// What the example suite in scenarios/ covers (no database: running it is
/// ScenarioSuiteTests, in the integration tests).
@Suite("Example scenarios")
struct ExampleSuiteTests {
    static let scenarios = Repository.scenarios

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scenarios.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func suiteCoversEveryStepKindAndIncident() throws {
        var kinds = Set<String>()
        for name in Self.files {
            let scenario = try ScenarioLoader.load(file: Self.scenarios.appendingPathComponent(name))
            for step in scenario.steps { kinds.insert(step.kind.name) }
        }
        #expect(kinds == ["sql", "migrate", "seed", "backfill", "workload", "run", "snapshot", "synthesize"])
        for n in 1...5 { #expect(Self.files.contains { $0.hasPrefix("incident-\(n)-") }) }
    }
}
