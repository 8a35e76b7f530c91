import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finds run folders whose rehearse process is gone (killed with SIGKILL,
/// say), stops the server that may still run there, and removes the folder.
enum StaleClusterReaper {
    @discardableResult
    static func reap(base: URL) -> [URL] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: base.path) else { return [] }
        var reaped: [URL] = []
        for name in names where name.hasPrefix("rehearse-") {
            let dir = base.appendingPathComponent(name)
            guard let owner = try? String(contentsOf: dir.appendingPathComponent("owner"), encoding: .utf8)
            else { continue }
            let parts = owner.split(whereSeparator: \.isWhitespace)
            guard parts.count >= 2, let pid = pid_t(parts[0]), let start = UInt64(parts[1]) else { continue }
            if ProcessIdentity.isAlive(pid: pid, startTime: start) { continue }
            stopPostmaster(dataDirectory: dir.appendingPathComponent("data"))
            if let cgroup = try? String(contentsOf: dir.appendingPathComponent("cgroup"), encoding: .utf8) {
                let path = cgroup.trimmingCharacters(in: .whitespacesAndNewlines)
                // The group was made for that run alone: what still runs in it (a capped
                // `run` step's command, orphaned) is that run's and goes with it.
                killMembers(cgroup: path)
                ServerMemoryCap.removeCgroup(path: path)
            }
            try? fm.removeItem(at: dir)
            reaped.append(dir)
        }
        return reaped
    }

    private static func killMembers(cgroup path: String) {
        guard path.hasPrefix("/sys/fs/cgroup/"),
            let procs = try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)
        else { return }
        for line in procs.split(separator: "\n") {
            if let pid = pid_t(line), pid > 1, pid != getpid() { kill(pid, SIGKILL) }
        }
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    private static func stopPostmaster(dataDirectory: URL) {
        guard let pidFile = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
            let first = pidFile.split(separator: "\n").first, let pid = pid_t(first)
        else { return }
        // Only a postgres process whose data folder is this one.
        guard let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")),
            String(decoding: cmdline, as: UTF8.self).contains(dataDirectory.path)
        else { return }
        kill(pid, SIGQUIT)
        for _ in 0..<300 {
            if kill(pid, 0) != 0 || isZombie(pid) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
    }
}
