import Foundation
import TestBasics
import Testing

@testable import RehearseEngine

#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    @Suite("Runs as a normal user")
    struct NormalUserTests {
        /// Only root can run the binary as another account (setpriv), and that account is `postgres`.
        static var canSwitchToPostgres: Bool { getuid() == 0 && getpwnam("postgres") != nil }

        /// As a normal (non-root) user, rehearse runs the server as that user itself.
        @Test(.enabled(if: canSwitchToPostgres, "needs root and a postgres account"))
        func runsAsANormalUser() async throws {
            let account = try #require(getpwnam("postgres"))
            let binary = Repository.rehearseBinary
            let dir = URL(fileURLWithPath: "/tmp/rh-user-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try
                "name: as-user\nsteps: [{sql: \"CREATE TABLE t (id int); INSERT INTO t VALUES (1)\"}]\nchecks: [{name: one, row_count: t, expect: 1}]\n"
                .write(to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
            chown(dir.path, account.pointee.pw_uid, account.pointee.pw_gid)
            chown(dir.appendingPathComponent("s.yaml").path, account.pointee.pw_uid, account.pointee.pw_gid)
            var env = ProcessInfo.processInfo.environment
            env["HOME"] = dir.path
            env["REHEARSE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
            env["REHEARSE_RUN_DIR"] = dir.path
            let (termination, output) = try await ChildProcess.run(
                [
                    "setpriv", "--reuid=\(account.pointee.pw_uid)", "--regid=\(account.pointee.pw_gid)", "--clear-groups", "--",
                    binary.path, "run", dir.appendingPathComponent("s.yaml").path, "--out", dir.appendingPathComponent("out").path,
                ],
                environment: env)
            #expect(termination.exitCode == 0, "\(output)")
            #expect(output.contains("as-user: approved"))
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("rehearse-") }
            #expect(left.isEmpty)
        }
    }
}
