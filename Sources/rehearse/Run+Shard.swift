import Foundation
import RehearseEngine
import RehearseResults
import RehearseScenario
import RehearseSupport

/// `run --shard I/N`: which scenarios, and which of their repetitions, this shard runs.
struct ShardSelection {
    var scenarios: [Scenario]
    /// Parallel to `scenarios`: the repetitions to run (nil: all, no `--shard`).
    var shards: [ShardInfo?]
    /// How many units the whole suite has, and this shard's share, for the note on stderr.
    var units = 0
    var mine = 0

    /// The suite's units dealt as `ShardPlan` says; without `--shard`, every scenario whole.
    static func make(
        _ scenarios: [Scenario], shard text: String?, durations: String?, repeatOverride: Int?, environment: [String: String]
    ) throws(RehearseError) -> ShardSelection {
        guard let text else {
            if durations != nil { throw .invalidInput("--shard-durations needs --shard") }
            return ShardSelection(scenarios: scenarios, shards: scenarios.map { _ in nil })
        }
        let shard = try Shard.parse(text, environment: environment)
        let repeats = scenarios.map { repeatOverride ?? $0.repeatCount }
        let units = ShardPlan.units(
            zip(scenarios, repeats).map { (name: $0.name, repeat: $1, versions: versions(of: $0)) })
        var seconds: ((ShardUnit) -> Double)?
        if let durations {
            let documents: [ResultsDocument]
            do { documents = try ResultsLoader.load(durations) } catch {
                throw .invalidInput("--shard-durations: \(error)")
            }
            seconds = ShardPlan.seconds(from: ShardPlan.durations(from: documents))
        }
        let mine = ShardPlan.deal(units, shards: shard.count, seconds: seconds)[shard.index - 1]
        var selection = ShardSelection(scenarios: [], shards: [], units: units.count, mine: mine.count)
        for (scenario, total) in zip(scenarios, repeats) {
            let repetitions = mine.filter { $0.scenario == scenario.name }.map(\.repetition)
            guard !repetitions.isEmpty else { continue }
            selection.scenarios.append(scenario)
            selection.shards.append(ShardInfo(shard: shard.description, repeat: total, repetitions: repetitions))
        }
        return selection
    }

    /// The PostgreSQL versions a scenario runs on, one unit each. One default version until
    /// `--pg` (a version matrix) lands; then this is the one place that asks it.
    static func versions(of scenario: Scenario) -> [String?] {
        [nil]
    }
}
