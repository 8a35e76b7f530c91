import Foundation
import Testing

@testable import RehearseEngine
@testable import RehearseHistogram
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport
@testable import RehearseVerdict

/// A repetition's results from its measurements, without a server: step results and
/// metrics, fault outcomes and the verdict.
@Suite("Repetition assembly")
struct RepetitionAssemblyTests {
    static let yaml = """
        name: assembly
        steps:
          - name: load
            seed:
              - {table: codes, csv: codes.csv}
          - name: migrate
            sql: "ALTER TABLE codes ADD COLUMN note text"
          - name: after
            sql: "SELECT 1"
        faults:
          - missing_seed: {table: codes, fraction: 0.5}
          - memory_cap: {step: load, limit: 64MB}
        """

    /// The scenario, beside the CSV file it names (the loader checks that it exists).
    static func scenario() throws -> Scenario {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("assembly-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "code\na\nb\n".write(to: dir.appendingPathComponent("codes.csv"), atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(yaml: yaml, file: dir.appendingPathComponent("assembly.yaml"))
    }

    static func measured(batches: Int, rows: Int, latencyMicros: [UInt64] = []) -> StepMeasurement {
        var m = StepMeasurement()
        m.batches = batches
        m.rows = rows
        for micros in latencyMicros { m.latency.record(micros: micros) }
        return m
    }

    @Test func stepResultsFollowTheScenarioWithTimesAndStatuses() throws {
        let scenario = try Self.scenario()
        var failed = Self.measured(batches: 1, rows: 0)
        failed.fail(message: "lock timeout", sqlstate: "55P03")
        let records: [String: StepRecord] = [
            "load": StepRecord(
                measurement: Self.measured(batches: 3, rows: 30, latencyMicros: [1000, 2000, 3000]), started: 1_000_000, ended: 41_000_000,
                status: .ok),
            "migrate": StepRecord(measurement: failed, started: 41_000_000, ended: 51_500_000, status: .failed),
            "after": .skipped,
        ]
        let steps = RepetitionAssembly.steps(of: scenario, records: records, locks: nil, memory: [])
        #expect(steps.results.map(\.name) == ["load", "migrate", "after"])
        #expect(steps.results.map(\.status) == [.ok, .failed, .skipped])
        #expect(steps.results[0].durationMs == 40 && steps.results[0].startedMs == 1)
        #expect(steps.results[0].latencyMs?.p50 ?? 0 > 1.9 && steps.results[0].histogram != nil)
        #expect(steps.results[2].startedMs == nil, "a skipped step has no start")
        #expect(steps.results[1].error?.sqlstate == "55P03")
        #expect(steps.metrics["load"]?.rows == [30] && steps.metrics["load"]?.durationsMs == [40])
        #expect(steps.metrics["migrate"]?.durationsMs == [10.5])
        #expect(steps.impacts.isEmpty, "no background workload ran")

        let (verdict, reasons) = RepetitionAssembly.verdict(steps: steps.results, checks: [], targets: [])
        #expect(verdict == .blocked)
        #expect(reasons == ["step migrate failed: 55P03 lock timeout"])
    }

    @Test func nothingFailedIsApproved() {
        let (verdict, reasons) = RepetitionAssembly.verdict(steps: [], checks: [], targets: [])
        #expect(verdict == .approved && reasons.isEmpty)
    }

    @Test func faultOutcomesSayWhatTheStepsReported() throws {
        let scenario = try Self.scenario()
        var load = Self.measured(batches: 1, rows: 10)
        load.missingSeed["codes"] = MissingSeedObservation(removed: 5, keys: ["a", "b"], startedMs: 1, endedMs: 2)
        load.memoryCap = .notApplied(reason: "no jemalloc count in this process")
        let records: [String: StepRecord] = [
            "load": StepRecord(measurement: load, started: 0, ended: 2_000_000, status: .ok),
            "migrate": .skipped,
        ]
        let faults = RepetitionAssembly.staticFaults(of: scenario, records: records, serverCap: nil)
        #expect(faults.map(\.kind) == ["missing_seed", "memory_cap"])
        #expect(faults[0].applied && faults[0].observed["rows_removed"] == .number(5))
        #expect(!faults[1].applied && faults[1].reason == "no jemalloc count in this process")
        #expect(faults[1].startedMs == 0 && faults[1].endedMs == 2)

        let none = RepetitionAssembly.staticFaults(of: scenario, records: [:], serverCap: nil)
        #expect(none[0].reason == "no seed step loaded codes")
        #expect(none[1].reason == "step 'load' did not run")
    }

    @Test func lockWaitersAreFilledInAndTheHolderPidDropped() {
        var faults = [
            FaultResult(
                kind: "lock", target: "codes", during: "migrate", applied: true, reason: nil, startedMs: 0, endedMs: 5,
                enforcement: nil, observed: ["holder_pid": .number(42)])
        ]
        var observation = LockObserver.Observation()
        observation.waitersOf[42] = [7: 120, 8: 30]
        RepetitionAssembly.addWaiters(to: &faults, pending: [(index: 0, pid: 42)], locks: observation)
        #expect(faults[0].observed["sessions_waited"] == .number(2))
        #expect(faults[0].observed["longest_wait_ms"] == .number(120))
        #expect(faults[0].observed["total_wait_ms"] == .number(150))
        #expect(faults[0].observed["holder_pid"] == nil)
    }
}
