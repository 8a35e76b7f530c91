import Foundation
import RehearseResults
import RehearseScenario

extension ScenarioRun {
    /// A sweep: every scale of the plan in turn, each with `count` repetitions on fresh
    /// databases of this run's server, then one document over all of them. An interrupt
    /// ends the sweep where it is, and the document says what ran; a failure releases the
    /// server and is thrown.
    mutating func sweep(_ plan: SweepPlan, repetitions count: Int) async throws -> ResultsDocument {
        let original = scenario
        let keep = options.keep
        var scales: [SweepAssembly.Scale] = []
        do {
            for (index, scale) in plan.scales.enumerated() {
                if Task.isCancelled { break }
                progress?.emit("▶ \(original.name): scale \(scale) (\(index + 1)/\(plan.scales.count), predicting \(plan.predict))")
                scenario = SweepPlan.scenario(original, at: scale)
                // `--keep` keeps the last repetition of the last scale, the largest.
                options.keep = keep && index == plan.scales.count - 1
                repetitions = []
                merged = [:]
                mergedImpacts = [:]
                defer { scales.append(.init(scale: scale, repetitions: repetitions, merged: merged, impacts: mergedImpacts)) }
                for n in 1...max(count, 1) {
                    if Task.isCancelled { break }
                    try await repetition(n, of: count)
                }
            }
        } catch _ where Task.isCancelled {
            // Interrupted: what ran so far goes into the document.
        } catch {
            options.keep = keep
            await abort()
            throw error
        }
        scenario = original
        options.keep = keep
        // The document's own repetitions and summary are the last scale's, the largest that ran.
        return try await finish(sweep: (plan, scales))
    }
}
