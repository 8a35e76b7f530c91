import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseSupport


#if canImport(Glibc)
    import Glibc
#endif

/// Each way of capping memory that this machine allows, on a real process.
@Suite("Memory caps")
struct MemoryCapTests {
    static let hog = ["python3", "-c", "x = bytearray(300 * 1024 * 1024); x[::4096] = b'x' * len(x[::4096])"]

    static var mechanisms: [ServerMemoryCap.Enforcement] {
        var available: [ServerMemoryCap.Enforcement] = [.rlimitAS]
        if ServerMemoryCap.cgroupV2Parent() != nil { available.append(.cgroupV2) }
        if access("/sys/fs/cgroup/memory/cgroup.procs", W_OK) == 0 { available.append(.cgroupV1) }
        return available
    }

    @Test func aHogRunsUncapped() async throws {
        let (termination, output) = try await ChildProcess.run(Self.hog)
        #expect(termination.succeeded, "\(output)")
        #expect(termination.maxRSSBytes > 250 << 20)
    }

    @Test(arguments: mechanisms)
    func aHogDiesUnderTheCap(_ mechanism: ServerMemoryCap.Enforcement) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-cap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cap = try ServerMemoryCap.prepare(bytes: 100 << 20, runDirectory: dir, forced: mechanism)
        defer { cap.remove() }
        #expect(cap.enforcement == mechanism)
        let (termination, _) = try await ChildProcess.run(cap.wrap(Self.hog))
        #expect(!termination.succeeded)
        if mechanism != .rlimitAS {
            #expect((cap.cgroupPeak() ?? 0) > 50 << 20)
        }
    }

    static var cgroupMechanisms: [ServerMemoryCap.Enforcement] { mechanisms.filter { $0 != .rlimitAS } }

    /// The group is named in the run folder before it is made, so no group exists that
    /// no run folder names: where the name cannot be written, no group is made.
    @Test(.enabled(if: !cgroupMechanisms.isEmpty, "needs a writable memory cgroup (v2 or v1)"))
    func aGroupNoRunFolderNamesIsNeverMade() throws {
        let name = "rehearse-unrecorded-\(getpid())"
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("rh-gone-\(UUID().uuidString)/\(name)")
        #expect(throws: RehearseError.self) {
            try ServerMemoryCap.prepare(bytes: 100 << 20, runDirectory: missing, forced: Self.cgroupMechanisms[0])
        }
        for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory"] {
            let path = root + "/" + name
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) was made")
            rmdir(path)
        }
    }

    /// After a SIGKILLed run, the next run reaps a capped step's cgroup: the command
    /// still running in it is killed and the group removed, with the run folder.
    @Test(.enabled(if: !cgroupMechanisms.isEmpty, "needs a writable memory cgroup (v2 or v1)"))
    func aDeadRunsStepCgroupIsReaped() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("rh-reap-\(UUID().uuidString)")
        let dir = base.appendingPathComponent("rehearse-999999-1")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        // The owner is a pid that no longer exists, as after SIGKILL.
        try "999999 1\n".write(to: dir.appendingPathComponent("owner"), atomically: false, encoding: .utf8)
        let cap = try ServerMemoryCap.prepare(bytes: 100 << 20, runDirectory: dir, forced: Self.cgroupMechanisms[0])
        let path = try #require(cap.cgroupPath)
        let child = try ChildProcess.spawn(
            cap.wrap(["sleep", "60"]), environment: ProcessInfo.processInfo.environment, workingDirectory: nil,
            outputFile: base.appendingPathComponent("out.log"))
        var members = ""
        for _ in 0..<100 {
            members = (try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? ""
            if !members.isEmpty { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(members.contains("\(child.pid)"))
        let reaped = StaleClusterReaper.reap(base: base)
        #expect(reaped.map(\.lastPathComponent) == ["rehearse-999999-1"])
        let termination = await child.wait()
        #expect(termination.signal == SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }
}
