import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finds run folders whose rehearse process is gone (killed with SIGKILL,
/// say), stops the server that may still run there, and removes the folder.
enum StaleClusterReaper {
    /// Marks a run folder that `--keep` left: no later run reaps it, `rehearse clean` does.
    static let keptFile = "kept"

    @discardableResult
    static func reap(base: URL, includingKept: Bool = false) -> [URL] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: base.path) else { return [] }
        var reaped: [URL] = []
        // Only folders this user made (or, as root, handed to the server account): the base
        // is shared and world-writable.
        var owners: Set<uid_t> = [geteuid()]
        if geteuid() == 0, let account = try? ServerAccount.current() { owners.insert(account.uid) }
        for name in names where name.hasPrefix("rehearse-") {
            let dir = base.appendingPathComponent(name)
            var info = stat()
            guard lstat(dir.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, owners.contains(info.st_uid) else {
                continue
            }
            guard let owner = try? String(contentsOf: dir.appendingPathComponent("owner"), encoding: .utf8)
            else { continue }
            let parts = owner.split(whereSeparator: \.isWhitespace)
            guard parts.count >= 2, let pid = pid_t(parts[0]), let start = UInt64(parts[1]) else { continue }
            if ProcessIdentity.isAlive(pid: pid, startTime: start) { continue }
            if !includingKept && FileManager.default.fileExists(atPath: dir.appendingPathComponent(keptFile).path) { continue }
            stopPostmaster(dataDirectory: dir.appendingPathComponent("data"))
            if let cgroup = try? String(contentsOf: dir.appendingPathComponent("cgroup"), encoding: .utf8) {
                let path = cgroup.trimmingCharacters(in: .whitespacesAndNewlines)
                // The group was made for that run alone: what still runs in it (a capped
                // `run` step's command, orphaned) is that run's and goes with it. A group
                // that will not go keeps its folder, so a later run tries again.
                if ServerMemoryCap.isGroup(path, ofRun: name), !ServerMemoryCap.removeCgroup(path: path) { continue }
            }
            if removeTree(dir) { reaped.append(dir) }
        }
        return reaped
    }

    /// Removes a dead run's folder. Its server's last processes can still be exiting and
    /// removing their own files while the tree is walked (seen once in about a hundred
    /// runs on a loaded machine: the walk failed and the folder stayed), so try again
    /// for up to two seconds; a folder that will not go is left for a later run.
    private static func removeTree(_ dir: URL) -> Bool {
        for _ in 0..<100 {
            try? FileManager.default.removeItem(at: dir)
            var info = stat()
            if lstat(dir.path, &info) != 0 && errno == ENOENT { return true }
            usleep(20_000)
        }
        return false
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
