import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Files that a run killed outright leaves outside its run folder: a half-copied
/// pristine cluster (`.staging-<pid>-<start>-…` in the cache; 39 MB each), and the
/// named output files of older versions in the temporary folder (output now goes to
/// unlinked files, which leave nothing).
enum StaleFiles {
    static func stagingName() -> String {
        ".staging-\(getpid())-\(ProcessIdentity.startTime(of: getpid()) ?? 0)-\(UUID().uuidString)"
    }

    @discardableResult
    static func reap(layout: RunDirectories) -> [URL] {
        let fm = FileManager.default
        var removed: [URL] = []
        for name in (try? fm.contentsOfDirectory(atPath: layout.cacheBase.path)) ?? [] where name.hasPrefix(".staging-") {
            let parts = name.dropFirst(".staging-".count).split(separator: "-")
            if parts.count >= 2, let pid = pid_t(parts[0]), let start = UInt64(parts[1]),
                ProcessIdentity.isAlive(pid: pid, startTime: start)
            {
                continue
            }
            let url = layout.cacheBase.appendingPathComponent(name)
            // One without an owner (an older version's) goes once nobody wrote to it for an hour.
            if parts.count < 2 || pid_t(parts[0]) == nil, !untouched(url, for: 3600) { continue }
            if (try? fm.removeItem(at: url)) != nil { removed.append(url) }
        }
        let temporary = fm.temporaryDirectory
        for name in (try? fm.contentsOfDirectory(atPath: temporary.path)) ?? []
        where name.hasPrefix("rehearse-out-") || (name.hasPrefix("rehearse-run-") && name.hasSuffix(".log")) {
            let url = temporary.appendingPathComponent(name)
            var info = stat()
            guard lstat(url.path, &info) == 0, info.st_uid == geteuid(), untouched(url, for: 3600) else { continue }
            if (try? fm.removeItem(at: url)) != nil { removed.append(url) }
        }
        return removed
    }

    private static func untouched(_ url: URL, for seconds: Int) -> Bool {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return false }
        return Int(time(nil)) - Int(info.st_mtim.tv_sec) > seconds
    }
}
