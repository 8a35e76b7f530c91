import Foundation
import RehearseSupport
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario

extension TimedSuites {
    /// A small sweep on a real embedded server: the checked-in leads profile synthesized at
    /// three scales, a table rewrite at each, and the predictions the document gets.
    @Suite("Sweep on a server")
    struct SweepRunTests {
        @Test func aSmallSweepPredictsTheRewriteWithItsLocks() async throws {
            let profile = Repository.scenarios.appendingPathComponent("migration-36/leads.profile.json").path
            let schema = Repository.scenarios.appendingPathComponent("migration-36/production-schema.sql").path
            let document = try await TimedSuites.ScenarioSuiteTests.run(
                yaml: """
                    name: small-sweep
                    repeat: 2
                    data: {profile: \(profile)}
                    sweep: {scale: [0.002, 0.005, 0.01], predict: 0.1}
                    steps:
                      - name: schema
                        sql: {file: \(schema)}
                      - name: data
                        synthesize:
                      - name: rewrite
                        sql: "ALTER TABLE leads ALTER COLUMN score TYPE bigint"
                    targets:
                      rewrite: ["predicted.lock_hold.leads < 1h", "predicted.duration < 1ms"]
                    expect: {verdict: blocked}
                    """)
            #expect(document.expectation.met, "\(document.expectation.mismatches) \(document.reasons)")
            // Every scale ran its repetitions, each on the rows of its own scale.
            let sweep = try #require(document.sweep)
            #expect(sweep.map(\.scale) == [0.002, 0.005, 0.01])
            for scale in sweep {
                #expect(scale.verdict == .approved, "\(scale.reasons)")
                #expect(scale.repetitions.count == 2)
                for rep in scale.repetitions {
                    let data = try #require(rep.steps.first { $0.name == "data" })
                    #expect(data.tables?["leads"]?.rows == Int((1_000_000 * scale.scale).rounded()), "\(scale.scale)")
                }
            }
            #expect(document.repetitions.count == 2, "the document's own repetitions are the largest scale's")
            #expect(document.predictionMethod?.rows == 1_000_000 && document.predictionMethod?.predict == 0.1)

            let rewrite = try #require(document.predictions?["rewrite"])
            let duration = try #require(rewrite.durationMs)
            #expect(rewrite.scale == 0.1)
            #expect(duration.low <= duration.value && duration.value <= duration.high)
            #expect((0...1).contains(duration.r2))
            // A rewrite grows with the table: ten times the largest scale takes longer than it did.
            let largest = sweep.last?.repetitions.compactMap { $0.steps.first { $0.name == "rewrite" }?.durationMs }.max() ?? 0
            #expect(duration.high > largest, "\(duration) vs \(largest) ms at 0.01")
            // Its AccessExclusiveLock on leads, from the exact locks.
            let hold = try #require(rewrite.lockHold?["leads"]?["AccessExclusiveLock"])
            #expect(rewrite.lockHoldExact == true)
            #expect(hold.value <= duration.value * 1.5 + 50, "a lock held within the step: \(hold) vs \(duration)")
            // The targets are judged on the upper bounds: an hour holds, a millisecond does not.
            #expect(rewrite.targets?.map(\.passed) == [true, false])
            #expect(rewrite.targets?.first?.actual == (hold.high * 1000).rounded() / 1000)
            #expect(document.reasons.contains { $0.hasPrefix("target rewrite: predicted.duration < 1ms") }, "\(document.reasons)")
        }
    }
}
