import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseScenario
@testable import RehearseResults


/// A fault is `applied` only when it was: one that selects nothing changes nothing, and
/// says so, instead of passing for a fault that was put in place.
@Suite("Faults applied only when they were")
struct FaultAppliedTests {
    @Test func faultsThatMatchNoRowAreNotApplied() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "code\nA\nB\n".write(to: dir.appendingPathComponent("codes.csv"), atomically: false, encoding: .utf8)
        let file = dir.appendingPathComponent("scenario.yaml")
        let yaml = """
            name: faults-on-nothing
            steps:
              - {name: schema, sql: "CREATE TABLE codes (code text PRIMARY KEY); CREATE TABLE jobs (id int PRIMARY KEY); INSERT INTO jobs VALUES (1)"}
              - name: load
                seed: [{table: codes, csv: codes.csv}]
              - {name: work, sql: "SELECT count(*) FROM jobs"}
            faults:
              - missing_seed: {table: codes, column: code, values: [NOPE]}
              - lock: {table: jobs, rows: "id < 0", during: work}
              - lock: {table: jobs, rows: "id = 1", during: work, hold: 10ms}
            """
        try yaml.write(to: file, atomically: false, encoding: .utf8)
        let document = try await ScenarioRunner.run(
            try ScenarioLoader.load(file: file), options: TimedSuites.ScenarioSuiteTests.options())
        let faults = try #require(document.repetitions.first?.faults)
        let seed = try #require(faults.first { $0.kind == "missing_seed" })
        #expect(!seed.applied)
        #expect(seed.reason == "no row of the CSV loaded into codes matches it")
        #expect(seed.observed["rows_removed"] == .number(0))
        let locks = faults.filter { $0.kind == "lock" }
        #expect(locks.map(\.applied) == [false, true], "\(locks)")
        #expect(locks.first?.reason?.contains("no row of jobs matches `id < 0`") == true, "\(String(describing: locks.first?.reason))")
        #expect(document.repetitions.first?.steps.map(\.status) == [.ok, .ok, .ok])
    }
}
