import Foundation
import TestBasics
import Testing
@testable import RehearseEngine


#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    /// A data folder that fills up (a small tmpfs, where this machine lets root mount one):
    /// the step that hits it fails with the server's reason, in bounded time, and nothing stays.
    @Suite("Full disk")
    struct FullDiskTests {
        /// Whether this machine lets us mount a tmpfs (root with CAP_SYS_ADMIN): a 1 MB one, at once unmounted.
        static var canMountTmpfs: Bool {
            let probe = "/tmp/rh-mount-probe-\(UUID().uuidString)"
            guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil else { return false }
            defer { try? FileManager.default.removeItem(atPath: probe) }
            guard mount("tmpfs", probe, "tmpfs", 0, "size=1m") == 0 else { return false }
            umount2(probe, 2)
            return true
        }

        @Test(.enabled(if: canMountTmpfs, "needs to mount a tmpfs (root with CAP_SYS_ADMIN)"))
        func aFullDataFolderFailsTheStep() async throws {
            let mountPoint = "/tmp/rh-full-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: mountPoint) }
            let (mounted, mountOutput) = try await ChildProcess.run([
                "mount", "-t", "tmpfs", "-o", "size=90m,mode=0755", "tmpfs", mountPoint,
            ])
            try #require(mounted.succeeded, "mount: \(mountOutput.trimmingCharacters(in: .whitespacesAndNewlines))")
            defer { _ = umount2(mountPoint, 2) }
            let binary = Repository.rehearseBinary
            let dir = URL(fileURLWithPath: mountPoint + "-scenario")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try """
            name: disk-full
            steps:
              - name: fill
                sql: "CREATE TABLE big AS SELECT g, repeat('x', 500) AS pad FROM generate_series(1, 400000) g"
            expect:
              verdict: blocked
              step_errors: {fill: "53100"}
            """.write(to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
            var env = ProcessInfo.processInfo.environment
            env["REHEARSE_RUN_DIR"] = mountPoint
            let started = ContinuousClock.now
            let (termination, output) = try await ChildProcess.run(
                [binary.path, "run", dir.appendingPathComponent("s.yaml").path, "--out", dir.appendingPathComponent("out").path],
                environment: env)
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(termination.exitCode == 0, "\(output)")
            #expect(output.contains("53100"))
            let left = (try? FileManager.default.contentsOfDirectory(atPath: mountPoint)) ?? []
            #expect(left.isEmpty, "left behind: \(left)")
        }
    }
}
