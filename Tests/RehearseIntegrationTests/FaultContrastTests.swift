import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseHistogram
@testable import RehearseSupport


extension TimedSuites {
    /// Each fault proves itself by contrast: the same scenario without the fault is
    /// approved, with it blocked in the way the incident was.
    @Suite("Faults change real outcomes")
    struct FaultContrastTests {
        static let scenarios = ScenarioSuiteTests.scenarios

        /// Loads a scenario file with its `faults` (and `expect`) taken out.
        func withoutFaults(_ name: String) throws -> Scenario {
            var scenario = try ScenarioLoader.load(file: Self.scenarios.appendingPathComponent(name))
            scenario.faults = []
            scenario.expect = Expectation()
            return scenario
        }

        func run(_ scenario: Scenario) async throws -> ResultsDocument {
            try await ScenarioRunner.run(scenario, options: ScenarioSuiteTests.options())
        }

        @Test func lockFaultTurnsMigration36Into55P03() async throws {
            let clean = try await run(try withoutFaults("incident-4-migration-36-lock-timeout.yaml"))
            #expect(clean.verdict == .approved, "\(clean.reasons)")
            let faulted = try await run(
                try ScenarioLoader.load(file: Self.scenarios.appendingPathComponent("incident-4-migration-36-lock-timeout.yaml")))
            let step = try #require(faulted.repetitions[0].steps.first { $0.name == "migrate-36" })
            #expect(step.status == .failed)
            #expect(step.error?.sqlstate == "55P03")
            #expect(step.error?.migration?.hasSuffix("36_add_call_direction.up.sql") == true)
            // The wait shows in the step and in the fault's observation.
            #expect((step.lockWaitMaxMs ?? 0) > 500)
            let fault = try #require(faulted.repetitions[0].faults.first { $0.kind == "lock" })
            #expect(fault.applied)
            #expect(fault.observed["sessions_waited"] == .number(1))
            #expect(fault.endedMs != nil && fault.startedMs != nil)
        }

        @Test func missingSeedRemovesTheSameRowsEveryTime() async throws {
            let clean = try await run(try withoutFaults("incident-1-reseed-missing-codes.yaml"))
            #expect(clean.verdict == .approved, "\(clean.reasons)")
            let file = Self.scenarios.appendingPathComponent("incident-1-reseed-missing-codes.yaml")
            let a = try await run(try ScenarioLoader.load(file: file))
            let b = try await run(try ScenarioLoader.load(file: file))
            #expect(a.verdict == .blocked)
            let fa = try #require(a.repetitions[0].faults.first { $0.kind == "missing_seed" })
            let fb = try #require(b.repetitions[0].faults.first { $0.kind == "missing_seed" })
            #expect(fa.observed["rows_removed"] == .number(4))
            #expect(fa.observed["keys"] == fb.observed["keys"])
            let seed = try #require(a.repetitions[0].steps.first { $0.name == "reseed" })
            #expect(seed.rowsSkipped == 8)
            let check = try #require(a.repetitions[0].checks.first { $0.name == "add_on_rates_count_121" })
            #expect(check.actual == .number(113) && check.expected == .number(121))
        }

        @Test func stepMemoryCapKillsTheLargeSeed() async throws {
            let clean = try await run(try withoutFaults("incident-2-seeding-memory-cap.yaml"))
            let large = try #require(clean.repetitions[0].steps.first { $0.name == "seed-large" })
            #expect(large.status == .ok, "\(large.output ?? "")")
            let faulted = try await run(
                try ScenarioLoader.load(file: Self.scenarios.appendingPathComponent("incident-2-seeding-memory-cap.yaml")))
            let capped = try #require(faulted.repetitions[0].steps.first { $0.name == "seed-large" })
            #expect(capped.status == .failed)
            let cap = try #require(faulted.repetitions[0].faults.first { $0.kind == "memory_cap" && $0.target == "seed-large" })
            #expect(["cgroup-v2", "cgroup-v1", "rlimit-as"].contains(cap.enforcement ?? ""))
            #expect(cap.applied && cap.reason == nil)
            let server = try #require(faulted.repetitions[0].faults.first { $0.kind == "memory_cap" && $0.target == "server" })
            #expect(server.applied)
            #expect(faulted.environment.memoryCapEnforcement == server.enforcement)
        }

        @Test func rewriteUnderTrafficStallsAtLeastAsLongAsItsLock() async throws {
            let doc = try await run(try ScenarioLoader.load(file: Self.scenarios.appendingPathComponent("live-traffic-rewrite.yaml")))
            let deploy = try #require(doc.repetitions[0].steps.first { $0.name == "deploy" })
            let lock = try #require(deploy.locksTaken?.first { $0.relation == "accounts" && $0.mode == "AccessExclusiveLock" })
            let impact = try #require(deploy.impact)
            #expect(impact.step == "app-traffic")
            // The stall is at least as long as the lock was seen held (sampled every 50 ms).
            #expect((impact.latencyMs?.max ?? 0) >= lock.heldMs - 100)
            let background = try #require(doc.repetitions[0].steps.first { $0.name == "app-traffic" })
            #expect(background.timeline?.isEmpty == false)
            // The background stopped when `deploy` ended: nothing due after it.
            let deployEnd = (deploy.startedMs ?? 0) + deploy.durationMs
            #expect((background.startedMs ?? 0) + background.durationMs <= deployEnd + 1000)

            let safe = try await run(try ScenarioLoader.load(file: Self.scenarios.appendingPathComponent("live-traffic-safe.yaml")))
            let add = try #require(safe.repetitions[0].steps.first { $0.name == "deploy" })
            #expect((add.impact?.latencyMs?.max ?? 1000) < 200)
        }
    }
}
