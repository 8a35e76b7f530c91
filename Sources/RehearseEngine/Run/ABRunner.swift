public import RehearseResults
public import RehearseScenario

/// `rehearse ab`: one scenario from two trees, their repetitions alternated (A, B, A, B …) on one
/// machine in one job, so that whatever the machine does meanwhile falls on both alike (as
/// Chromium's Pinpoint re-runs both versions side by side).
public enum ABRunner {
    public struct Pair: Sendable {
        public var base: ResultsDocument
        public var current: ResultsDocument
    }

    /// Runs `count` repetitions of each side, alternating; each side keeps its own server.
    public static func run(base: Scenario, current: Scenario, repeat count: Int, options: RunOptions) async throws -> Pair {
        let (base, current) = (SweepPlan.largestScale(of: base), SweepPlan.largestScale(of: current))
        var a = try await ScenarioRun.start(base, options: options)
        var b: ScenarioRun
        do { b = try await ScenarioRun.start(current, options: options) } catch {
            await a.abort()
            throw error
        }
        do {
            for n in 1...max(count, 1) {
                if Task.isCancelled { break }
                try await a.repetition(n, of: count)
                if Task.isCancelled { break }
                try await b.repetition(n, of: count)
            }
        } catch {
            await a.abort()
            await b.abort()
            throw error
        }
        let baseDocument: ResultsDocument
        do { baseDocument = try await a.finish() } catch {
            await b.abort()
            throw error
        }
        return Pair(base: baseDocument, current: try await b.finish())
    }
}
