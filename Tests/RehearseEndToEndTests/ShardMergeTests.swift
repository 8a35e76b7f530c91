import Foundation
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseSupport

/// A suite run whole, and split over 2 and 3 shards then merged, on real embedded servers:
/// the same verdicts, the same checks failing in the same repetitions, the same exit code.
@Suite("Shards merged, end to end")
struct ShardMergeTests {
    static let binary = Repository.rehearseBinary

    func rehearse(_ arguments: [String]) async throws -> (Int32, String) {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run([Self.binary.path] + arguments)
        return (termination.exitCode, output)
    }

    /// Per scenario: its verdict, whether it met its expectation, and the checks that failed in each repetition.
    func outcome(_ folder: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for document in try ResultsLoader.load(folder.path) {
            let checks = document.repetitions.map { $0.checks.filter { !$0.passed }.map(\.name).sorted().joined(separator: "+") }
            result[document.scenario.name] =
                "\(document.verdict.rawValue) met=\(document.expectation.met) reps=\(document.repetitions.count) failed=\(checks)"
        }
        return result
    }

    @Test func aSuiteSplitTwoAndThreeWaysMergesToTheWholeRun() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-shard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Expected approved, but its check fails: the whole run exits 1.
        let unmet = dir.appendingPathComponent("unmet.yaml")
        try """
        name: unmet
        steps:
          - name: schema
            sql: "CREATE TABLE t (a int); INSERT INTO t VALUES (1)"
        checks:
          - name: two_rows
            row_count: t
            expect: 2
        """.write(to: unmet, atomically: false, encoding: .utf8)
        let suite = [
            Repository.root.appendingPathComponent("scenarios/quickstart.yaml").path,
            Repository.root.appendingPathComponent("scenarios/incident-1-reseed-missing-codes.yaml").path, unmet.path,
        ]
        let wholeOut = dir.appendingPathComponent("whole")
        let (wholeCode, wholeOutput) = try await rehearse(["run"] + suite + ["--repeat", "2", "--out", wholeOut.path])
        #expect(wholeCode == 1, "\(wholeOutput)")
        let whole = try outcome(wholeOut)
        #expect(whole.count == 3)
        #expect(whole["unmet"] == "blocked met=false reps=2 failed=[\"two_rows\", \"two_rows\"]")

        for count in [2, 3] {
            let parts = dir.appendingPathComponent("parts-\(count)")
            var units = 0
            for index in 1...count {
                let (code, output) = try await rehearse(
                    ["run"] + suite + ["--repeat", "2", "--shard", "\(index)/\(count)", "--out", parts.path])
                #expect([0, 1].contains(code), "shard \(index)/\(count): \(output)")
                let note = try #require(output.firstMatch(of: /shard \d+\/\d+: (\d+) of the suite's 6 units/), "\(output)")
                units += Int(note.1) ?? 0
            }
            #expect(units == 6)
            let merged = dir.appendingPathComponent("merged-\(count)")
            let (code, output) = try await rehearse(["merge", parts.path, "--out", merged.path])
            #expect(code == wholeCode, "\(count) shards: \(output)")
            #expect(try outcome(merged) == whole, "\(count) shards")
            // compare and report take merged documents like any other.
            let (compared, comparison) = try await rehearse(["compare", wholeOut.path, merged.path, "--threshold", "1000%"])
            #expect(compared != 2, "\(comparison)")
            let (reported, report) = try await rehearse(["report", merged.path, "--html", dir.appendingPathComponent("r.html").path])
            #expect(reported == 0, "\(report)")
        }
    }
}
