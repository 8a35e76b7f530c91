import Foundation
import RehearseEngine
import RehearseResults
import RehearseScenario
import RehearseSupport

/// `run --shard I/N`: which scenarios, and which of their repetitions on which version, this
/// shard runs.
struct ShardSelection {
    var scenarios: [Scenario]
    /// Parallel to `scenarios`: the repetitions to run on each version (the key: a major, or nil
    /// for a scenario without versions); nil: all of them (no `--shard`).
    var shards: [[Int?: ShardInfo]?]
    /// How many units the whole suite has, and this shard's share, for the note on stderr.
    var units = 0
    var mine = 0
    /// `I/N` as resolved (`auto` read from the environment).
    var shard = ""

    /// The suite's units dealt as `ShardPlan` says; without `--shard`, every scenario whole.
    /// `versions` gives the majors a scenario runs on (nil: once, on the server chosen as before).
    static func make(
        _ scenarios: [Scenario], shard text: String?, durations: String?, repeatOverride: Int?, environment: [String: String],
        versions: (Scenario) -> [Int]?
    ) throws(RehearseError) -> ShardSelection {
        guard let text else {
            if durations != nil { throw .invalidInput("--shard-durations needs --shard") }
            return ShardSelection(scenarios: scenarios, shards: scenarios.map { _ in nil })
        }
        let shard = try Shard.parse(text, environment: environment)
        // A sweep is one unit: its predictions are fitted over all its scales and repetitions.
        let repeats = scenarios.map { $0.sweep != nil ? 1 : repeatOverride ?? $0.repeatCount }
        let units = ShardPlan.units(
            zip(scenarios, repeats).map { scenario, total in
                (name: scenario.name, repeat: total, versions: versions(scenario)?.map { String($0) } ?? [nil])
            })
        var seconds: ((ShardUnit) -> Double)?
        if let durations {
            let documents: [ResultsDocument]
            do { documents = try ResultsLoader.load(durations) } catch {
                throw .invalidInput("--shard-durations: \(error)")
            }
            seconds = ShardPlan.seconds(from: ShardPlan.durations(from: documents))
        }
        let mine = ShardPlan.deal(units, shards: shard.count, seconds: seconds)[shard.index - 1]
        var selection = ShardSelection(scenarios: [], shards: [], units: units.count, mine: mine.count, shard: shard.description)
        for (scenario, total) in zip(scenarios, repeats) {
            var byVersion: [Int?: ShardInfo] = [:]
            for unit in mine where unit.scenario == scenario.name {
                let major = unit.version.flatMap { Int($0) }
                byVersion[major, default: ShardInfo(shard: shard.description, repeat: total, repetitions: [])].repetitions.append(
                    unit.repetition)
            }
            guard !byVersion.isEmpty else { continue }
            // The shard dealt a sweep runs all of its repetitions.
            if scenario.sweep != nil {
                let all = repeatOverride ?? scenario.repeatCount
                byVersion = byVersion.mapValues { ShardInfo(shard: $0.shard, repeat: all, repetitions: Array(1...max(all, 1))) }
            }
            selection.scenarios.append(scenario)
            selection.shards.append(byVersion)
        }
        return selection
    }
}
