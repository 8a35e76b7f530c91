import Foundation
import TestBasics
import Testing

@testable import RehearseScenario

/// `pgbench:` transactions in scenario files: what `lint` reports, and where.
@Suite("pgbench transactions in scenarios")
struct PgBenchScenarioTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder(prefix: "rh-pgbench-lint") }

    private func errors(_ yaml: String) throws -> [ScenarioError] {
        let file = try folder.file(yaml, name: "s.yaml")
        do {
            _ = try ScenarioLoader.load(file: file)
            return []
        } catch let errors as ScenarioErrors {
            return errors.errors
        }
    }

    @Test func aValidScriptLoadsWithItsScale() throws {
        _ = try folder.file("\\set aid random(1, 100000 * :scale)\nSELECT :aid;\n", name: "ok.sql")
        let file = try folder.file(
            "name: ok\nsteps:\n  - workload:\n      transactions:\n        - {name: t, pgbench: ok.sql, scale: 10, weight: 3}\n",
            name: "s.yaml")
        let scenario = try ScenarioLoader.load(file: file)
        guard case .workload(let spec) = scenario.steps[0].kind else {
            Issue.record("not a workload")
            return
        }
        #expect(spec.transactions[0].scale == 10)
        #expect(spec.transactions[0].weight == 3)
        #expect(spec.transactions[0].pgbench?.text.hasPrefix("\\set aid") == true)
    }

    @Test func scriptProblemsAreReportedInTheScriptMissingFilesAtTheKey() throws {
        _ = try folder.file("SELECT 1;\n\\set x 1 +\n", name: "bad.sql")
        _ = try folder.file("SELECT 1;\n", name: "good.sql")
        let found = try errors(
            """
            name: bad
            steps:
              - workload:
                  pipeline: 2
                  transactions:
                    - {name: a, pgbench: bad.sql}
                    - {name: b, pgbench: nowhere.sql}
                    - {name: c, pgbench: bad.sql, params: [1]}
                    - {name: d, sql: "SELECT 1", scale: 2}
                    - {name: e, pgbench: good.sql}
            """)
        let script = try #require(found.first { $0.file.hasSuffix("bad.sql") })
        #expect(script.line == 2)
        #expect(script.column == 11)
        #expect(script.message.contains("\\set: unexpected end of expression"))
        let missing = try #require(found.first { $0.message.contains("nowhere.sql") })
        #expect(missing.file.hasSuffix("s.yaml") && missing.line == 7 && missing.column == 30)
        #expect(found.contains { $0.key.hasSuffix("transactions[3].params") })
        #expect(found.contains { $0.key.hasSuffix("transactions[4].scale") })
        #expect(found.contains { $0.key.hasSuffix("pipeline") && $0.message.contains("not pipelined") })
    }
}
