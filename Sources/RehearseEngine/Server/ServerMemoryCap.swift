import Foundation
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A memory limit on the embedded server, enforced by the best mechanism this
/// machine allows: a cgroup v2 `memory.max`, a cgroup v1
/// `memory.limit_in_bytes`, or `RLIMIT_AS` on the postmaster.
struct ServerMemoryCap: Sendable {
    enum Enforcement: String, Sendable { case cgroupV2 = "cgroup-v2", cgroupV1 = "cgroup-v1", rlimitAS = "rlimit-as" }

    var bytes: Int64
    var enforcement: Enforcement
    /// The cgroup folder, for the cgroup mechanisms.
    var cgroupPath: String?

    /// Picks a mechanism and, for cgroups, creates the group.
    static func prepare(bytes: Int64, runDirectory: URL, forced: Enforcement? = nil) throws -> ServerMemoryCap {
        let name = runDirectory.lastPathComponent
        let candidates: [Enforcement] = forced.map { [$0] } ?? [.cgroupV2, .cgroupV1, .rlimitAS]
        for mechanism in candidates {
            switch mechanism {
            case .cgroupV2:
                guard let parent = cgroupV2Parent() else { continue }
                let path = parent + "/" + name
                guard record(path, in: runDirectory), mkdir(path, 0o755) == 0 else { continue }
                guard write(String(bytes), to: path + "/memory.max") else { rmdir(path); continue }
                _ = write("0", to: path + "/memory.swap.max")
                return ServerMemoryCap(bytes: bytes, enforcement: .cgroupV2, cgroupPath: path)
            case .cgroupV1:
                let parent = "/sys/fs/cgroup/memory"
                guard access(parent + "/cgroup.procs", W_OK) == 0 else { continue }
                let path = parent + "/" + name
                guard record(path, in: runDirectory), mkdir(path, 0o755) == 0 else { continue }
                guard write(String(bytes), to: path + "/memory.limit_in_bytes") else { rmdir(path); continue }
                _ = write(String(bytes), to: path + "/memory.memsw.limit_in_bytes")
                return ServerMemoryCap(bytes: bytes, enforcement: .cgroupV1, cgroupPath: path)
            case .rlimitAS:
                return ServerMemoryCap(bytes: bytes, enforcement: .rlimitAS, cgroupPath: nil)
            }
        }
        throw RehearseError.infrastructure("no way to cap the server's memory on this machine")
    }

    /// Names the group in the run folder before it is made: a rehearse killed between
    /// the two leaves a group the next run's reaper finds, never one nothing names. A
    /// group that cannot be recorded is not made (the next mechanism is tried).
    private static func record(_ path: String, in runDirectory: URL) -> Bool {
        (try? path.write(to: runDirectory.appendingPathComponent("cgroup"), atomically: false, encoding: .utf8)) != nil
    }

    /// A writable cgroup v2 folder of ours with the memory controller, if any.
    static func cgroupV2Parent() -> String? {
        for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
            guard let controllers = try? String(contentsOfFile: root + "/cgroup.controllers", encoding: .utf8),
                controllers.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "memory" }),
                access(root, W_OK) == 0
            else { continue }
            _ = write("+memory", to: root + "/cgroup.subtree_control")
            return root
        }
        return nil
    }

    /// Wraps a command so it runs inside the cap: in the cgroup when there is one (the
    /// cgroup mechanisms), else under RLIMIT_AS.
    func wrap(_ command: [String]) -> [String] {
        guard let cgroupPath else { return ["prlimit", "--as=\(bytes)", "--"] + command }
        return ["/bin/sh", "-c", "echo $$ > '\(cgroupPath)/cgroup.procs' && exec \"$@\"", "rehearse-cgroup"] + command
    }

    /// The peak memory the cgroup has seen, when there is a cgroup.
    func cgroupPeak() -> Int64? {
        guard let cgroupPath else { return nil }
        let file = enforcement == .cgroupV2 ? "memory.peak" : "memory.max_usage_in_bytes"
        return (try? String(contentsOfFile: cgroupPath + "/" + file, encoding: .utf8))
            .flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Whether the kernel killed a process of the group for memory.
    func oomKills() -> Int {
        guard let cgroupPath else { return 0 }
        let file = enforcement == .cgroupV2 ? "memory.events" : "memory.oom_control"
        let text = (try? String(contentsOfFile: cgroupPath + "/" + file, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.split(separator: " ").last ?? "0") ?? 0
        }
        return 0
    }

    /// Kills what still runs in the group (a capped command's orphans, a server process
    /// that would not die) and removes it.
    /// False when the group is still there.
    @discardableResult
    func remove() -> Bool {
        guard let cgroupPath else { return true }
        return Self.removeCgroup(path: cgroupPath)
    }

    /// Whether `path` is the group that `prepare` makes for the run folder `runName`:
    /// a run folder's `cgroup` file is trusted only that far.
    static func isGroup(_ path: String, ofRun runName: String) -> Bool {
        ["/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory"].contains { path == $0 + "/" + runName }
    }

    /// Empties the group (SIGKILL to every member, again until none is left, since a
    /// member may fork meanwhile) and removes it. False when the group is still there.
    @discardableResult
    static func removeCgroup(path: String) -> Bool {
        guard path.hasPrefix("/sys/fs/cgroup/") else { return false }
        // cgroup v2 kills the whole group at once; v1 needs the members one by one.
        _ = write("1", to: path + "/cgroup.kill")
        for _ in 0..<100 {
            if rmdir(path) == 0 || errno == ENOENT { return true }
            let members = (try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? ""
            for line in members.split(separator: "\n") {
                if let pid = pid_t(line), pid > 1, pid != getpid() { kill(pid, SIGKILL) }
            }
            usleep(20_000)
        }
        return false
    }

    private static func write(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return text.withCString { Glibc.write(fd, $0, strlen($0)) } >= 0
    }
}
