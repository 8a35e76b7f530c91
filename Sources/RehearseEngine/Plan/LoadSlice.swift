import Foundation
package import RehearseScenario
package import RehearseSupport

/// `run --load-slice I/N --run-id ID`: this process drives the I-th of N shares of every
/// workload of run ID against one server (`--server`), in the databases slice 1
/// creates; slice 1 also runs every other step.
package struct LoadSlice: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    package var index: Int
    package var count: Int
    package var runID: String
    /// How long a slice waits for its peers (at a workload's start, or for a repetition's
    /// database) before it fails with exit 3.
    package var timeout: Duration = .seconds(60)

    package init(index: Int, count: Int, runID: String, timeout: Duration = .seconds(60)) {
        self.index = index
        self.count = count
        self.runID = runID
        self.timeout = timeout
    }

    package var description: String { "\(index)/\(count)" }

    /// Slice 1 creates the databases and runs every step that is not a workload.
    package var leads: Bool { index == 1 }

    /// `I/N` with `--run-id` (it names databases: lowercase letters, digits and `_`, at most 32).
    package static func parse(_ text: String, runID: String?, server: String?) throws(RehearseError) -> LoadSlice {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else {
            throw .invalidInput("--load-slice: '\(text)' is not I/N with 1 <= I <= N (e.g. 2/4)")
        }
        guard server != nil else {
            throw .invalidInput("--load-slice needs --server (or $REHEARSE_SERVER): the slices drive one server")
        }
        guard let runID else {
            throw .invalidInput("--load-slice needs --run-id ID, the same on every slice of the run")
        }
        guard !runID.isEmpty, runID.count <= 32, runID.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else {
            throw .invalidInput("--run-id: '\(runID)' must be 1 to 32 lowercase letters, digits or _ (it names the run's databases)")
        }
        return LoadSlice(index: index, count: count, runID: runID)
    }

    /// This slice's lanes of a workload of `connections`: the connections split floor/ceil
    /// (the first `connections % count` slices take one more), numbered as one machine would
    /// number them, so `:client_id`, sequences, seeds and the open model's schedule of each lane
    /// are those of that lane on one machine: a slice's rate is the rate times its share of
    /// the connections.
    package func lanes(of connections: Int) -> Range<Int> {
        let base = connections / count
        let extra = connections % count
        let start = (index - 1) * base + min(index - 1, extra)
        return start..<(start + base + (index - 1 < extra ? 1 : 0))
    }

    /// The steps whose start the slices share: the scenario's workloads.
    package static func barrierSteps(of scenario: Scenario) -> [String] {
        scenario.steps.filter { step in
            if case .workload = step.kind { return true }
            return false
        }.map(\.name)
    }
}
