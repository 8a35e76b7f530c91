import Foundation
package import RehearseResults
package import RehearseScenario
package import RehearseSupport

/// Which of how many shards a process runs (`--shard 2/4`, or `--shard auto` in a
/// Kubernetes Indexed Job).
package struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    package let index: Int
    package let count: Int

    package init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    package var description: String { "\(index)/\(count)" }

    /// `I/N` with 1 ≤ I ≤ N, or `auto`: I from `JOB_COMPLETION_INDEX` plus one (an Indexed
    /// Job counts from 0) and N from `REHEARSE_SHARDS`.
    package static func parse(_ text: String, environment: [String: String]) throws(RehearseError) -> Shard {
        if text == "auto" {
            guard let indexText = environment["JOB_COMPLETION_INDEX"] else {
                throw .invalidInput("--shard auto: JOB_COMPLETION_INDEX is not set (a Kubernetes Indexed Job sets it)")
            }
            guard let countText = environment["REHEARSE_SHARDS"] else {
                throw .invalidInput("--shard auto: REHEARSE_SHARDS is not set (set it to the Job's completions)")
            }
            guard let zeroBased = Int(indexText), zeroBased >= 0 else {
                throw .invalidInput("--shard auto: JOB_COMPLETION_INDEX '\(indexText)' is not a whole number from 0")
            }
            guard let count = Int(countText), count >= 1 else {
                throw .invalidInput("--shard auto: REHEARSE_SHARDS '\(countText)' is not a whole number from 1")
            }
            guard zeroBased < count else {
                throw .invalidInput(
                    "--shard auto: JOB_COMPLETION_INDEX \(zeroBased) is not below REHEARSE_SHARDS \(count) (indices count from 0)")
            }
            return Shard(index: zeroBased + 1, count: count)
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw .invalidInput("--shard: '\(text)' is not I/N (e.g. 2/4) or auto")
        }
        guard count >= 1, count <= NumberRanges.maxShards else {
            throw .invalidInput("--shard: N must be from 1 to \(NumberRanges.maxShards), found \(count)")
        }
        guard (1...count).contains(index) else {
            throw .invalidInput("--shard: I must be from 1 to N (\(count)), found \(index) (shards count from 1)")
        }
        return Shard(index: index, count: count)
    }
}

extension NumberRanges {
    /// More shards than this is a typo, not a fleet.
    package static let maxShards = 10_000
}

/// One unit of a suite: one repetition of one scenario on one PostgreSQL version.
package struct ShardUnit: Hashable, Sendable, CustomStringConvertible {
    /// The scenario's name (unique within a suite).
    package var scenario: String
    /// The PostgreSQL version; nil for the one default version.
    package var version: String?
    /// 1-based.
    package var repetition: Int

    package init(scenario: String, version: String? = nil, repetition: Int) {
        self.scenario = scenario
        self.version = version
        self.repetition = repetition
    }

    package var description: String { "\(scenario)\(version.map { "@\($0)" } ?? "") #\(repetition)" }
}

/// How a suite's units are dealt to shards, so that shards 1…N together run each unit
/// exactly once and every shard, given the same suite (and the same durations), computes
/// the same deal without talking to the others.
///
/// The units are listed in suite order: scenarios as `run` orders them, then versions,
/// then repetitions 1…R. Without durations the k-th unit (from 0) goes to shard
/// `k mod N + 1`, round robin. With durations, the units are taken longest first (ties
/// in suite order) and each goes to the shard with the least work so far (ties to the
/// lowest shard): greedy longest-processing-time, within 4/3 of the best balance.
package enum ShardPlan {
    /// The units of a suite in suite order: `scenarios` as (name, repetitions, versions).
    package static func units(_ scenarios: [(name: String, repeat: Int, versions: [String?])]) -> [ShardUnit] {
        scenarios.flatMap { scenario in
            scenario.versions.flatMap { version in
                (1...max(scenario.repeat, 1)).map { ShardUnit(scenario: scenario.name, version: version, repetition: $0) }
            }
        }
    }

    /// The units of each shard (index 0 is shard 1), each shard's in suite order. `seconds`
    /// gives a unit's expected duration; nil deals round robin.
    package static func deal(_ units: [ShardUnit], shards: Int, seconds: ((ShardUnit) -> Double)? = nil) -> [[ShardUnit]] {
        let count = max(shards, 1)
        var dealt = Array(repeating: [Int](), count: count)
        if let seconds {
            let weights = units.map { max(0, seconds($0)) }
            let order = units.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
            var load = Array(repeating: 0.0, count: count)
            for k in order {
                // The least-loaded shard; `min` keeps the first of equals, the lowest shard.
                let shard = load.indices.min { load[$0] < load[$1] } ?? 0
                dealt[shard].append(k)
                load[shard] += weights[k]
            }
        } else {
            for k in units.indices { dealt[k % count].append(k) }
        }
        return dealt.map { $0.sorted().map { units[$0] } }
    }

    /// The expected seconds of each scenario's repetition (keyed by `key(scenario:version:)`)
    /// from earlier results: the median over the document's repetitions of the repetition's
    /// span (its database's creation, then from the first step's start to the last step's end).
    package static func durations(from documents: [ResultsDocument]) -> [String: Double] {
        var result: [String: Double] = [:]
        for document in documents.sorted(by: { $0.run.finishedAt < $1.run.finishedAt }) {
            let spans = document.repetitions.map { repetition in
                let end = repetition.steps.map { ($0.startedMs ?? 0) + $0.durationMs }.max() ?? 0
                return (end + (repetition.databaseMs ?? 0)) / 1000
            }
            guard let median = Median.of(spans) else { continue }
            // By the major it ran on too, for a suite that runs scenarios on several.
            result[key(scenario: document.scenario.name, version: nil)] = median
            if let major = document.postgresMajor { result[key(scenario: document.scenario.name, version: String(major))] = median }
        }
        return result
    }

    /// A function for `deal`: a unit's seconds from `durations`, and for a scenario without
    /// earlier results the median of those known (1 s when none is).
    package static func seconds(from durations: [String: Double]) -> (ShardUnit) -> Double {
        let fallback = Median.of(Array(durations.values)) ?? 1
        return { unit in
            durations[key(scenario: unit.scenario, version: unit.version)] ?? durations[key(scenario: unit.scenario, version: nil)]
                ?? fallback
        }
    }

    package static func key(scenario: String, version: String?) -> String {
        version.map { "\(scenario)@\($0)" } ?? scenario
    }
}
