import Foundation
import PostgresClient
import TestSupport
import Testing
@testable import RehearseEngine
@testable import RehearseSupport


#if canImport(Glibc)
    import Glibc
#endif

@Suite("Disposable servers: root, reaping, external mode")
struct ServerLifecycleTests {
    @Test func serverRunsUnprivilegedWhenWeAreRoot() async throws {
        try await withTestServer { db in
            let status = try String(contentsOfFile: "/proc/\(db.server.process.pid)/status", encoding: .utf8)
            let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(whereSeparator: \.isWhitespace)[1]
            if getuid() == 0 {
                #expect(uid != "0", "PostgreSQL must not run as root")
                #expect(db.server.account.needsSwitch)
            } else {
                #expect(uid == "\(getuid())")
            }
            // Pristine-cluster copies: the data folder is private to the server account.
            var info = stat()
            stat(db.server.dataDirectory.path, &info)
            #expect(info.st_mode & 0o077 == 0)
        }
    }

    @Test func staleClusterOfADeadRunIsReaped() async throws {
        // Stopped again at the end in every case: a no-op once the reaper has.
        try await withTestServer { db in
            let dir = db.server.runDirectory
            let postmaster = db.server.process.pid
            // Pretend the owner died (as after SIGKILL): a pid that no longer exists.
            let (dead, _) = try await ChildProcess.run(["true"])
            #expect(dead.succeeded)
            try "999999 1\n".write(to: dir.appendingPathComponent("owner"), atomically: false, encoding: .utf8)
            let reaped = StaleClusterReaper.reap(base: dir.deletingLastPathComponent())
            #expect(reaped.map(\.path).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.contains(dir.path))
            #expect(!FileManager.default.fileExists(atPath: dir.path))
            for _ in 0..<100 where kill(postmaster, 0) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            _ = await db.server.process.wait()
            #expect(kill(postmaster, 0) != 0)
        }
    }

    @Test func liveRunsAreNotReaped() async throws {
        try await withTestServer { db in
            let reaped = StaleClusterReaper.reap(base: db.server.runDirectory.deletingLastPathComponent())
            #expect(!reaped.map(\.lastPathComponent).contains(db.server.runDirectory.lastPathComponent))
            #expect(FileManager.default.fileExists(atPath: db.server.runDirectory.path))
        }
    }

    @Test func externalModeDropsOnlyWhatItMarked() async throws {
        try await withTestServer { db in
            let admin = try await db.connect()
            try await admin.execute("CREATE DATABASE precious")
            await admin.close()
            let host = try await ExternalHost.connect(db.server.conninfo(database: "postgres"), runID: "t1")
            try await host.createDatabase("rehearse_t1_1", template: nil)
            await #expect(throws: RehearseError.self) { try await host.dropDatabase("precious") }
            await #expect(throws: RehearseError.self) { try await host.dropDatabase("postgres") }
            try await host.dropDatabase("rehearse_t1_1")
            let check = try await db.connect()
            let names = try await check.query("SELECT datname FROM pg_database ORDER BY 1").rows.compactMap { $0[0] }
            #expect(names.contains("precious"))
            #expect(!names.contains("rehearse_t1_1"))
            await check.close()
        }
    }

    @Test func externalCleanupDropsOnlyTheRunsMarkedDatabases() async throws {
        try await withTestServer { db in
            let host = try await ExternalHost.connect(db.server.conninfo(database: "postgres"), runID: "r9")
            try await host.createDatabase("rehearse_r9_1", template: nil)
            let admin = try await db.connect()
            try await admin.execute("CREATE DATABASE rehearse_r9_2")  // same name pattern, no mark
            let conninfo = db.server.conninfo(database: "postgres")
            await Task.detached { ExternalCleanup.dropRunDatabases(conninfo: conninfo, runID: "r9") }.value
            let names = try await admin.query("SELECT datname FROM pg_database").rows.compactMap { $0[0] }
            #expect(!names.contains("rehearse_r9_1"))
            #expect(names.contains("rehearse_r9_2"))
            await admin.close()
        }
    }

    @Test func templateCopiesAreFreshPerRepetition() async throws {
        try await withTestServer { db in
            let host = EmbeddedHost(server: db.server, runID: "x")
            try await host.createDatabase("tpl", template: nil)
            let t = try await host.connect(database: "tpl")
            try await t.execute("CREATE TABLE seeded (id int); INSERT INTO seeded VALUES (1)")
            await t.close()
            try await host.createDatabase("rep1", template: "tpl")
            let r = try await host.connect(database: "rep1")
            #expect(try await r.query("SELECT count(*) FROM seeded").scalar == "1")
            #expect(
                try await r.query("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'rep1'").scalar
                    == "rehearse:x"
            )
            await r.close()
        }
    }
}
