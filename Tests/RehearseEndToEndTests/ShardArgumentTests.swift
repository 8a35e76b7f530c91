import Foundation
import TestBasics
import Testing

@testable import RehearseEngine

/// `--shard`, `--load-slice` and their companions refused as invalid input (exit 2) before
/// anything runs: the runs point at a server that cannot be reached, so a value taken by
/// mistake would end in exit 3 instead, and no PostgreSQL is ever started here.
@Suite("Shard and load-slice arguments")
struct ShardArgumentTests {
    static let nowhere = ["--server", "host=/nonexistent-dir port=5 user=x dbname=y connect_timeout=2"]

    func rehearse(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
        let binary = Repository.rehearseBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        var env = ProcessInfo.processInfo.environment
        env["JOB_COMPLETION_INDEX"] = nil
        env["REHEARSE_SHARDS"] = nil
        env["REHEARSE_SERVER"] = nil
        env.merge(environment) { _, new in new }
        let (termination, output) = try await ChildProcess.run([binary.path] + arguments, environment: env)
        return (termination.exitCode, output)
    }

    @Test func badValuesAreInvalidInput() async throws {
        let scenario = Repository.root.appendingPathComponent("scenarios/quickstart.yaml").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rh-shard-args-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let cases: [([String], [String: String], String)] = [
            (["--shard", "5/4"], [:], "--shard: I must be from 1 to N (4), found 5"),
            (["--shard", "two"], [:], "--shard: 'two' is not I/N"),
            (["--shard", "auto"], [:], "--shard auto: JOB_COMPLETION_INDEX is not set"),
            (["--shard", "auto"], ["JOB_COMPLETION_INDEX": "4", "REHEARSE_SHARDS": "4"], "is not below REHEARSE_SHARDS 4"),
            (["--shard-durations", out], [:], "--shard-durations needs --shard"),
            (["--shard", "1/2", "--shard-durations", out], [:], "--shard-durations: \(out): no such file or folder"),
            (["--load-slice", "1/2"], [:], "--load-slice needs --run-id"),
            (["--load-slice", "3/2", "--run-id", "r"], [:], "--load-slice: '3/2' is not I/N"),
            (["--load-slice", "1/2", "--run-id", "Not-Ok"], [:], "--run-id: 'Not-Ok' must be 1 to 32 lowercase letters"),
            (["--load-slice", "1/2", "--run-id", "r", "--shard", "1/2"], [:], "--load-slice and --shard: give one"),
            (["--run-id", "r"], [:], "--run-id goes with --load-slice"),
        ]
        for (arguments, environment, message) in cases {
            let (code, output) = try await rehearse(["run", scenario, "--out", out] + Self.nowhere + arguments, environment: environment)
            #expect(code == 2, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
        // Without --server a load slice has no server to share.
        let (code, output) = try await rehearse(
            ["run", scenario, "--out", out, "--load-slice", "1/2", "--run-id", "r"])
        #expect(code == 2 && output.contains("--load-slice needs --server"), "\(output)")
    }

    /// `--shard auto` in an Indexed Job: index 1 of 3 is shard 2/3.
    @Test func autoTakesTheJobIndexPlusOne() async throws {
        let scenario = Repository.root.appendingPathComponent("scenarios/quickstart.yaml").path
        let (code, output) = try await rehearse(
            ["run", scenario, "--repeat", "3", "--shard", "auto"] + Self.nowhere,
            environment: ["JOB_COMPLETION_INDEX": "1", "REHEARSE_SHARDS": "3"])
        // The shard is taken (the note names it); the unreachable server then ends the run.
        #expect(output.contains("rehearse: shard 2/3: 1 of the suite's 3 units"), "\(output)")
        #expect(code == 3, "\(output)")
    }
}
