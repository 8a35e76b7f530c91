import Foundation
import Testing

@testable import Rehearse

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
}
