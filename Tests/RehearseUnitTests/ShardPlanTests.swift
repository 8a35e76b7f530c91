import RehearseSupport
import Testing

@testable import RehearseEngine

/// The rule that deals a suite's units to shards: every unit on exactly one shard, for
/// any N, round robin without durations and longest first onto the least-loaded shard
/// with them.
@Suite("Shard plan")
struct ShardPlanTests {
    /// Twelve scenarios of 1 to 5 repetitions on two versions: 70 units.
    static let suite: [(name: String, repeat: Int, versions: [String?])] = (1...12).map {
        (name: "scenario-\($0)", repeat: $0 % 5 + 1, versions: ["15", "18"])
    }

    @Test("shards 1…N run every unit exactly once", arguments: [1, 2, 3, 4, 5, 7, 16, 100])
    func everyUnitOnce(shards: Int) {
        let units = ShardPlan.units(Self.suite)
        #expect(units.count == 70)
        for seconds in [nil, { (u: ShardUnit) in Double(u.scenario.count * 7 % 5 + u.repetition) }] as [((ShardUnit) -> Double)?] {
            let dealt = ShardPlan.deal(units, shards: shards, seconds: seconds)
            #expect(dealt.count == shards)
            let all = dealt.flatMap { $0 }
            #expect(all.count == units.count)
            #expect(Set(all) == Set(units))
            // Each shard's units stay in suite order.
            for part in dealt {
                let positions = part.compactMap { units.firstIndex(of: $0) }
                #expect(positions == positions.sorted())
            }
        }
    }

    @Test("without durations the k-th unit goes to shard k mod N + 1")
    func roundRobin() {
        let units = ShardPlan.units([(name: "a", repeat: 3, versions: [nil]), (name: "b", repeat: 2, versions: [nil])])
        let dealt = ShardPlan.deal(units, shards: 2)
        #expect(dealt[0].map(\.description) == ["a #1", "a #3", "b #2"])
        #expect(dealt[1].map(\.description) == ["a #2", "b #1"])
    }

    @Test("with durations the longest go first, each onto the least-loaded shard, ties to the lowest")
    func longestFirst() {
        let units = ShardPlan.units([
            (name: "long", repeat: 1, versions: [nil]), (name: "mid", repeat: 2, versions: [nil]),
            (name: "short", repeat: 4, versions: [nil]),
        ])
        let seconds = ShardPlan.seconds(from: ["long": 10, "mid": 6, "short": 1])
        let dealt = ShardPlan.deal(units, shards: 2, seconds: seconds)
        // long → 1 (10, 0); mid #1, #2 → 2 (10, 12); short #1, #2 → 1 (12, 12); short #3, a tie,
        // → 1 (13, 12); short #4 → 2 (13, 13).
        #expect(dealt[0].map(\.description) == ["long #1", "short #1", "short #2", "short #3"])
        #expect(dealt[1].map(\.description) == ["mid #1", "mid #2", "short #4"])
        let load = dealt.map { $0.map(seconds).reduce(0, +) }
        #expect(load == [13, 13])
        // The same inputs give the same deal on every machine.
        #expect(ShardPlan.deal(units, shards: 2, seconds: seconds) == dealt)
    }

    @Test("a scenario without earlier results weighs the median of those known")
    func unknownScenario() {
        let seconds = ShardPlan.seconds(from: ["a": 2, "b": 4, "c": 30])
        #expect(seconds(ShardUnit(scenario: "new", repetition: 1)) == 4)
        #expect(ShardPlan.seconds(from: [:])(ShardUnit(scenario: "new", repetition: 1)) == 1)
    }

    @Test("--shard I/N and auto, and the values refused")
    func parsing() throws {
        #expect(try Shard.parse("2/4", environment: [:]) == Shard(index: 2, count: 4))
        #expect(try Shard.parse("1/1", environment: [:]) == Shard(index: 1, count: 1))
        let job = ["JOB_COMPLETION_INDEX": "0", "REHEARSE_SHARDS": "3"]
        #expect(try Shard.parse("auto", environment: job) == Shard(index: 1, count: 3))
        let refused: [(String, [String: String], String)] = [
            ("0/4", [:], "I must be from 1 to N"), ("5/4", [:], "I must be from 1 to N"), ("2/0", [:], "N must be from 1"),
            ("2", [:], "is not I/N"), ("a/b", [:], "is not I/N"), ("1/2/3", [:], "is not I/N"),
            ("auto", [:], "JOB_COMPLETION_INDEX is not set"),
            ("auto", ["JOB_COMPLETION_INDEX": "1"], "REHEARSE_SHARDS is not set"),
            ("auto", ["JOB_COMPLETION_INDEX": "3", "REHEARSE_SHARDS": "3"], "is not below REHEARSE_SHARDS 3"),
            ("auto", ["JOB_COMPLETION_INDEX": "-1", "REHEARSE_SHARDS": "3"], "not a whole number from 0"),
            ("auto", ["JOB_COMPLETION_INDEX": "0", "REHEARSE_SHARDS": "x"], "not a whole number from 1"),
        ]
        for (text, environment, message) in refused {
            #expect {
                try Shard.parse(text, environment: environment)
            } throws: { error in
                "\(error)".contains(message) && ExitStatus.of(error) == ExitStatus.invalid
            }
        }
    }
}
