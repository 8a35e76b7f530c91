import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseReport
@testable import RehearseScenario
@testable import RehearseResults
@testable import RehearseSupport


extension TimedSuites {
    /// The terminal tells the story: the migration file at fault, and how much of a
    /// cut list is left out.
    @Suite("Rollback and migrate failures in the summary")
    struct RollbackSummaryTests {
        @Test func theSummaryNamesTheMigrationAndCountsWhatItLeavesOut() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-summary-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let tables = (1...13).map { "CREATE TABLE t\($0) (id int);" }.joined(separator: "\n")
            try tables.write(to: dir.appendingPathComponent("1_tables.up.sql"), atomically: false, encoding: .utf8)
            try "-- forgets every table\n".write(to: dir.appendingPathComponent("1_tables.down.sql"), atomically: false, encoding: .utf8)
            try "ALTER TABLE t1 ADD CONSTRAINT c CHECK (id > 0) NOT VALID;\nALTER TABLE nowhere ADD x int;\n"
                .write(to: dir.appendingPathComponent("2_broken.up.sql"), atomically: false, encoding: .utf8)
            let doc = try await ScenarioSuiteTests.run(
                yaml: """
                    name: summary
                    steps:
                      - {snapshot: before}
                      - {name: deploy, migrate: {dir: \(dir.path)}}
                    rollback: {when: always, via: down, to: before, verify: [schema]}
                    expect: {verdict: blocked, rollback: failed}
                    """)
            let name = dir.lastPathComponent
            #expect(doc.reasons.first?.hasPrefix("step deploy failed at \(name)/2_broken.up.sql: 42P01 ") == true, "\(doc.reasons)")
            let rollback = doc.repetitions[0].rollback
            // At least the 13 tables (the fingerprint may list their columns too).
            #expect(rollback.status == .failed && rollback.differences.count >= 13, "\(rollback)")
            let summary = SummaryTable.render([doc])
            #expect(summary.contains("reason: step deploy failed at \(name)/2_broken.up.sql"), "\(summary)")
            #expect(summary.contains("· and \(rollback.differences.count - 10) more\n"), "\(summary)")
        }
    }
}
