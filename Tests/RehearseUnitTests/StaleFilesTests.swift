import Foundation
import Testing

@testable import RehearseEngine

/// What the reaper takes of a dead run's files, on folders made here (no server).
@Suite("Stale files")
struct StaleFilesTests {
    /// A staging folder of a run killed while it cached the pristine cluster is
    /// reaped; one whose owner lives is not.
    @Test func aDeadRunsStagingFolderIsReaped() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("rh-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var layout = RunDirectories.shared
        layout.cacheBase = cache
        // pid_max is below 2^22 on Linux: this pid names no process.
        let dead = cache.appendingPathComponent(".staging-4999999-1-abc")
        let live = cache.appendingPathComponent(StaleFiles.stagingName())
        for dir in [dead, live] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("base"), withIntermediateDirectories: true)
        }
        #expect(StaleFiles.reap(layout: layout).map(\.lastPathComponent) == [dead.lastPathComponent])
        #expect(FileManager.default.fileExists(atPath: live.path))
    }
}
