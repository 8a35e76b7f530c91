import Foundation
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseResults


/// Invalid input that `run` must refuse before anything runs (exit 2), naming what is wrong.
/// The runs point at a server that cannot be reached: had the input been taken, the run
/// would have ended in an infrastructure failure (exit 3) instead, so no PostgreSQL is
/// ever started here and nothing depends on time.
@Suite("Command line input")
struct CommandLineTests {
    static let binary = Repository.rehearseBinary
    static let nowhere = ["--server", "host=/nonexistent-dir port=5 user=x dbname=y connect_timeout=2"]

    /// A fresh folder holding the given scenario files (name → YAML).
    func folder(_ files: [String: String] = [:]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, yaml) in files {
            try yaml.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8)
        }
        return dir
    }

    /// Runs the rehearse binary; returns its exit code and everything it printed.
    func rehearse(_ arguments: [String]) async throws -> (Int32, String) {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run([Self.binary.path] + arguments)
        return (termination.exitCode, output)
    }

    static let scenario = "name: one\nsteps: [{sql: \"SELECT 1\"}]\n"

    @Test func lintOfAFolderWithoutScenariosIsInvalidAsRunIs() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "not a scenario".write(to: dir.appendingPathComponent("notes.txt"), atomically: false, encoding: .utf8)
        for command in ["lint", "run"] {
            let (code, output) = try await rehearse([command, dir.path] + (command == "run" ? Self.nowhere : []))
            #expect(code == 2, "\(command): \(output)")
            #expect(output.contains("no scenario files in \(dir.path)"), "\(command): \(output)")
        }
    }

    /// `--pg-bin` names the server programs' folder: a wrong one is an error, not a
    /// search that quietly finds others (no server starts either way).
    @Test func aWrongPgBinIsInvalidInput() async throws {
        let dir = try folder(["one.yaml": Self.scenario])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (code, output) = try await rehearse([
            "run", dir.appendingPathComponent("one.yaml").path, "--pg-bin", dir.path, "--out", dir.appendingPathComponent("r").path,
        ])
        #expect(code == 2, "\(output)")
        #expect(output.contains("--pg-bin \(dir.path): no initdb and postgres programs"), "\(output)")
    }

    /// The same file named twice, directly and through its folder, is one scenario.
    @Test func aFileNamedTwiceIsOneScenario() async throws {
        let dir = try folder(["one.yaml": Self.scenario])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (code, output) = try await rehearse(["lint", dir.path, dir.appendingPathComponent("one.yaml").path])
        #expect(code == 0, "\(output)")
        #expect(output.contains("1 scenario file valid"), "\(output)")
    }

    @Test func runRefusesTwoScenariosOfOneNameAsLintDoes() async throws {
        let dir = try folder(["a.yaml": Self.scenario, "b.yaml": Self.scenario])
        defer { try? FileManager.default.removeItem(at: dir) }
        for command in ["lint", "run"] {
            let (code, output) = try await rehearse([command, dir.path] + (command == "run" ? Self.nowhere : []))
            #expect(code == 2, "\(command): \(output)")
            #expect(output.contains("b.yaml:1:1: error: name: 'one' is also the name of"), "\(command): \(output)")
            #expect(!output.contains("cannot reach the server"), "\(command): \(output)")
        }
    }

    @Test func runChecksThresholdAndBaselineBeforeItRuns() async throws {
        let dir = try folder(["one.yaml": Self.scenario])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("one.yaml").path
        let out = ["--out", dir.appendingPathComponent("results").path]

        var (code, output) = try await rehearse(["run", file, "--threshold", "abc"] + out + Self.nowhere)
        #expect(code == 2, "\(output)")
        #expect(output.contains("--threshold: 'abc' is not a fraction"), "\(output)")

        let missing = dir.appendingPathComponent("nonexistent.json").path
        (code, output) = try await rehearse(["run", file, "--baseline", missing] + out + Self.nowhere)
        #expect(code == 2, "\(output)")
        #expect(output.contains("\(missing): no such file or folder"), "\(output)")
        #expect(!output.contains("cannot reach the server"), "\(output)")

        let garbled = dir.appendingPathComponent("garbled.json")
        try "{\"schema_version\": 1".write(to: garbled, atomically: false, encoding: .utf8)
        (code, output) = try await rehearse(["run", file, "--baseline", garbled.path] + out + Self.nowhere)
        #expect(code == 2, "\(output)")
        #expect(output.contains("not a valid results document"), "\(output)")
        #expect(!output.contains("cannot reach the server"), "\(output)")
    }

    /// Every numeric option has a range (README, "Ranges of numbers"): past it is invalid input
    /// before anything runs. A `--step-timeout` of 10^11 s was taken and overflowed (a trap)
    /// when a step's deadline was computed; `--repeat` and `--threshold` had no upper bound.
    @Test func numericOptionsOutsideTheirRangeAreInvalid() async throws {
        let dir = try folder(["one.yaml": Self.scenario])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("one.yaml").path
        let out = ["--out", dir.appendingPathComponent("results").path]
        let cases: [(arguments: [String], message: String)] = [
            (["--repeat", "1001"], "--repeat must be between 1 and 1000"),
            (["--repeat", "0"], "--repeat must be between 1 and 1000"),
            (["--step-timeout", "100000000000"], "--step-timeout must be between 1 and 604800 seconds"),
            (["--threshold", "inf"], "--threshold: 'inf' is not a fraction from 0 to 1000%"),
            (["--threshold", "5000%"], "--threshold: '5000%' is not a fraction from 0 to 1000%"),
        ]
        for (arguments, message) in cases {
            let (code, output) = try await rehearse(["run", file] + arguments + out + Self.nowhere)
            #expect(code == 2, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
            #expect(!output.contains("cannot reach the server"), "\(arguments): \(output)")
        }
        let (code, output) = try await rehearse(["compare", file, file, "--threshold", "1e400"])
        #expect(code == 2, "\(output)")
        #expect(output.contains("--threshold: '1e400' is not a fraction from 0 to 1000%"), "\(output)")
    }

    /// libpq's error for a URL it refuses quotes the user info as written, and for a password
    /// holding @ names the tail as the host: the password must not reach standard error (issue 23, item 7).
    @Test func aMalformedServerURLDoesNotEchoItsPassword() async throws {
        let dir = try folder(["one.yaml": Self.scenario])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("one.yaml").path
        for url in ["postgresql://app:%ZZs3cretpw@localhost/db", "postgresql://app%ZZs3cretpw@localhost/db"] {
            let (code, output) = try await rehearse(["run", file, "--out", dir.appendingPathComponent("r").path, "--server", url])
            #expect(code == 2, "\(url): \(output)")
            #expect(output.contains("invalid percent-encoded token"), "\(url): \(output)")
            #expect(!output.contains("s3cretpw"), "\(url): \(output)")
        }
        // A password holding @: libpq takes the first @, then names the host "pw@localhost".
        let url = "postgresql://app:s3cret@pw@localhost:5/db?connect_timeout=2"
        let (code, output) = try await rehearse(["run", file, "--out", dir.appendingPathComponent("r").path, "--server", url])
        #expect(code == 3, "\(output)")
        #expect(!output.contains("s3cret") && !output.contains("pw@"), "\(output)")
    }

    @Test func abRefusesBadInputBeforeItRuns() async throws {
        let base = try folder(["one.yaml": Self.scenario])
        let other = try folder(["two.yaml": "name: two\nsteps: [{sql: \"SELECT 1\"}]\n"])
        defer { for d in [base, other] { try? FileManager.default.removeItem(at: d) } }
        var (code, output) = try await rehearse(["ab", base.path, other.path] + Self.nowhere)
        #expect(code == 2 && output.contains("no scenario is in both BASE and CURRENT"), "\(output)")
        #expect(output.contains("note: one is only in BASE") && !output.contains("cannot reach the server"), "\(output)")
        (code, output) = try await rehearse(["ab", base.path, base.path, "--repeat", "0"] + Self.nowhere)
        #expect(code == 2 && output.contains("--repeat must be between 1 and 1000"), "\(output)")
        (code, output) = try await rehearse(["ab", base.path, base.path, "--format", "pdf"] + Self.nowhere)
        #expect(code == 2 && output.contains("--format: 'pdf'"), "\(output)")
    }

    /// Issue 15: compare of 3 repetitions against 1 with +15–20% noise exited 1.
    @Test func compareOfTooFewRepetitionsExitsZeroUnlessFarOrPastAThresholdYouSet() async throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, repetitions: Int, _ durations: [Double]) throws -> String {
            var d = SampleResults.document(.init(repetitions: repetitions))
            for r in d.repetitions.indices { d.repetitions[r].steps[3].durationMs = durations[r] }
            d.summary.steps["backfill-codes"]?.durationMs = durations
            let file = dir.appendingPathComponent("\(name).json")
            try ResultsCoding.encoder().encode(d).write(to: file)
            return file.path
        }
        let one = try write("one", repetitions: 1, [100])
        let noise = try write("noise", repetitions: 3, [115, 120, 118])
        var (code, output) = try await rehearse(["compare", one, noise])
        #expect(code == 0 && output.contains("backfill-codes: untested"), "\(output)")
        (code, output) = try await rehearse(["compare", one, noise, "--threshold", "10%"])
        #expect(code == 1 && output.contains("past the threshold you set"), "\(output)")
        let far = try write("far", repetitions: 3, [300, 310, 295])
        (code, output) = try await rehearse(["compare", one, far])
        #expect(code == 1 && output.contains("backfill-codes: regressed"), "\(output)")
    }

    @Test func runChecksWhereResultsGoBeforeItRuns() async throws {
        let dir = try folder(["one.yaml": Self.scenario])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("one.yaml").path
        let aFile = dir.appendingPathComponent("one.yaml").path
        let results = dir.appendingPathComponent("results").path
        let cases: [(arguments: [String], message: String)] = [
            (["--out", aFile], "--out: \(aFile) is a file, not a folder"),
            (["--out", aFile + "/deeper"], "--out: cannot create the folder \(aFile)/deeper: \(aFile) is a file"),
            (["--out", results, "--save-baseline", aFile], "--save-baseline: \(aFile) is a file, not a folder"),
            (["--out", results, "--save-baseline", aFile + "/baselines"], "\(aFile) is a file"),
        ]
        for (arguments, message) in cases {
            let (code, output) = try await rehearse(["run", file] + arguments + Self.nowhere)
            #expect(code == 2, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
            #expect(!output.contains("cannot reach the server"), "\(arguments): \(output)")
        }

        // What run creates inside: a folder per scenario under --out, a file per scenario under --save-baseline.
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        try "".write(toFile: results + "/one", atomically: false, encoding: .utf8)
        var (code, output) = try await rehearse(["run", file, "--out", results] + Self.nowhere)
        #expect(code == 2, "\(output)")
        #expect(output.contains("\(results)/one is in the way"), "\(output)")
        let baselines = dir.appendingPathComponent("baselines").path
        try FileManager.default.createDirectory(atPath: baselines + "/one.json", withIntermediateDirectories: true)
        (code, output) = try await rehearse(
            ["run", file, "--out", dir.appendingPathComponent("fresh").path, "--save-baseline", baselines] + Self.nowhere)
        #expect(code == 2, "\(output)")
        #expect(output.contains("\(baselines)/one.json is in the way"), "\(output)")

        // A folder that does not exist yet is fine: the run goes on (and fails to reach the server).
        (code, output) = try await rehearse(["run", file, "--out", dir.appendingPathComponent("new/results").path] + Self.nowhere)
        #expect(code == 3, "\(output)")
        #expect(output.contains("cannot reach the server"), "\(output)")
    }
}
