import Foundation
@testable import Rehearse

/// What the backends of a run's embedded server are doing, read from their process
/// titles (`postgres: user db [local] SELECT`, `… LOCK TABLE waiting`): tests wait for a
/// step to be under way this way instead of sleeping a fixed time on a busy machine.
enum ServerProcesses {
    /// The titles of every backend whose postmaster's command line names `runBase`.
    static func backendTitles(runBase: String) async throws -> [String] {
        let (_, ps) = try await ChildProcess.run(["ps", "-eo", "pid=,ppid=,args="])
        let rows = ps.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true) }
            .filter { $0.count == 3 }
        let postmasters = Set(rows.filter { $0[2].contains(runBase) }.map { String($0[0]) })
        return rows.filter { postmasters.contains(String($0[1])) }.map { String($0[2]) }
    }

    /// Polls every 100 ms, for at most `seconds`, until a backend's title satisfies `test`
    /// on `consecutive` polls in a row; whether it did.
    static func waitForBackend(
        runBase: String, seconds: Int = 60, consecutive: Int = 1, where test: (String) -> Bool
    ) async throws -> Bool {
        var inARow = 0
        for _ in 0..<(seconds * 10) {
            try await Task.sleep(for: .milliseconds(100))
            inARow = try await backendTitles(runBase: runBase).contains(where: test) ? inARow + 1 : 0
            if inARow >= consecutive { return true }
        }
        return false
    }
}
