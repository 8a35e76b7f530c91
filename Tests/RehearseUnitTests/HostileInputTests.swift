import Foundation
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport


/// Input written to break rehearse (issue 23): absurd numbers that trapped in a conversion
/// (SIGILL, exit 132, the server orphaned) and alias bombs that made Yams compose for
/// seconds or for good. Each must be invalid input with its position, found by lint.
@Suite("Hostile input")
struct HostileInputTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile")

    static var files: [String] { InvalidScenarioTests.yamlFiles(in: folder) }

    @Test(arguments: files)
    func reportsPosition(_ name: String) throws {
        try InvalidScenarioTests.expectLintReportsFirstLine(of: Self.folder.appendingPathComponent(name))
    }

    @Test func numbersPastTheirRangeAreRefusedNotTrapped() {
        #expect(Units.duration("10000000000s") == nil)
        #expect(Units.duration("168h") == .seconds(604_800))
        #expect(Units.size("9000000000GB") == nil)
        #expect(Units.size("1TB") == 1 << 40)
        #expect(Units.size("99999999999999999999") == nil)
        #expect(Units.rate("0.000000000001/s") == nil)
        #expect(Units.rate("1/h") != nil)
        #expect(Units.rate("inf") == nil)
        #expect(Units.fraction("nan") == nil)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
    }

    /// A lane built from a rate no scenario may give (lint refuses it) still does not trap.
    @Test func aTinyRateDoesNotTrapTheSchedule() {
        let lane = Workload.Lane(
            index: 0, connections: 1, iterations: nil, deadline: 2_000_000_000, rate: 1e-12, start: 1_000_000_000, origin: 0,
            seed: 1, pipeline: 1, memoryLimit: nil, progress: LiveCounter())
        var schedule = LaneSchedule(lane)
        #expect(schedule.next(now: 1_000_000_000) == .due(1_000_000_000))
        #expect(schedule.next(now: 1_500_000_000) == .finished)
    }

    /// Aliases within the budget, as values, still load.
    @Test func modestAliasesStillLoad() throws {
        let yaml = """
            name: modest
            steps:
              - workload:
                  iterations: 2
                  transactions:
                    - &read {name: read, sql: "SELECT 1"}
              - workload:
                  iterations: 3
                  transactions: [*read]
            """
        let scenario = try ScenarioLoader.load(yaml: yaml, file: URL(fileURLWithPath: "/tmp/modest.yaml"))
        #expect(scenario.steps.count == 2)
        #expect(AliasGuard.check("a: &x [1, 2]\nb: *x\n") == nil)
    }

    /// The cap is on what aliases add: 20,000 values written out are a scenario, not a bomb.
    @Test func aLongListWithoutAliasesLoads() throws {
        let values = (1...20_000).map(String.init).joined(separator: ", ")
        let yaml =
            "name: long\nsteps:\n  - workload:\n      iterations: 1\n      transactions:\n"
            + "        - {sql: \"SELECT $1\", params: [{pick: [\(values)]}]}\n"
        let scenario = try ScenarioLoader.load(yaml: yaml, file: URL(fileURLWithPath: "/tmp/long.yaml"))
        #expect(scenario.steps.count == 1)
    }

    // MARK: results documents read by compare, report and run --baseline

    static let baseline = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../results/baselines/quickstart.json").standardizedFileURL

    /// Loads the baseline with its first line matching `pattern` changed to `replacement`;
    /// returns the error and the 1-based line changed.
    func loadingError(replacing pattern: String, with replacement: String) throws -> (String, Int) {
        var lines = try String(contentsOf: Self.baseline, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.range(of: pattern, options: .regularExpression) != nil })
        lines[index] = lines[index].replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.json")
        try lines.joined(separator: "\n").write(to: file, atomically: false, encoding: .utf8)
        do {
            _ = try ResultsLoader.load(file.path)
        } catch {
            return ("\(error)", index + 1)
        }
        Issue.record("\(replacement) was accepted")
        return ("", index + 1)
    }

    @Test func aNegativeCountInResultsIsInvalidWithItsPosition() throws {
        let (message, line) = try loadingError(replacing: #""batches" : [0-9]+"#, with: #""batches" : -5"#)
        #expect(message.contains("bad.json:\(line):"), "\(message)")
        #expect(message.contains(".batches: -5 is negative"), "\(message)")
    }

    @Test func aHugeLatencyInResultsIsInvalidWithItsPosition() throws {
        let (message, line) = try loadingError(replacing: #""p50" : [0-9.]+"#, with: #""p50" : 1e308"#)
        #expect(message.contains("bad.json:\(line):"), "\(message)")
        #expect(message.contains(".p50: 1e308 is out of range"), "\(message)")
    }

    /// A check's actual value is whatever the query returned: negative is fine there.
    @Test func aNegativeCheckValueInResultsIsFine() throws {
        var document = SampleResults.document()
        document.repetitions[0].checks = [
            CheckResult(name: "balance", passed: true, expected: .number(-3), actual: .number(-3), phase: "deploy", error: nil)
        ]
        let data = try ResultsCoding.encoder().encode(document)
        #expect(ResultsValidator.numberProblem(in: data) == nil)
    }

    /// Larger than any results document: refused before it is read (a sparse file, so the test writes nothing).
    @Test func anOversizedResultsFileIsRefusedBeforeItIsRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-huge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("huge.json")
        try #require(FileManager.default.createFile(atPath: file.path, contents: Data("{".utf8)))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: UInt64(ResultsValidator.maxBytes) + 1)
        try handle.close()
        #expect(throws: RehearseError.self) { try ResultsLoader.load(file.path) }
        do { _ = try ResultsLoader.load(file.path) } catch {
            #expect("\(error)".contains("huge.json: the file is 67108865 bytes; a results document is at most 64 MiB"), "\(error)")
        }
    }
}
