import Foundation
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Where rehearse keeps its pristine clusters (a cache) and its run folders (temporary).
struct RunDirectories: Sendable {
    static let shared = RunDirectories()

    /// Run folders: `$REHEARSE_RUN_DIR`, else /dev/shm when it is a writable tmpfs with room
    /// (copying a cluster there takes ~60 ms instead of ~800 ms on this machines' disk), else /tmp.
    var runBase: URL
    /// Pristine clusters: `$REHEARSE_CACHE_DIR`, else `$XDG_CACHE_HOME/rehearse`, else `~/.cache/rehearse`.
    var cacheBase: URL

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        runBase = URL(fileURLWithPath: environment["REHEARSE_RUN_DIR"] ?? Self.defaultRunBase())
        if let dir = environment["REHEARSE_CACHE_DIR"] {
            cacheBase = URL(fileURLWithPath: dir)
        } else if let xdg = environment["XDG_CACHE_HOME"] {
            cacheBase = URL(fileURLWithPath: xdg).appendingPathComponent("rehearse")
        } else {
            cacheBase = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/rehearse")
        }
    }

    static func defaultRunBase() -> String {
        var info = statvfs()
        if access("/dev/shm", W_OK) == 0, statvfs("/dev/shm", &info) == 0,
            UInt64(info.f_bavail) * UInt64(info.f_frsize) > 2 << 30
        {
            return "/dev/shm"
        }
        return "/tmp"
    }

    /// A new private folder `rehearse-<pid>-<random>` with an `owner` file naming this process,
    /// so that a later run can tell whether its owner is gone.
    func makeRunDirectory() throws -> URL {
        try FileManager.default.createDirectory(at: runBase, withIntermediateDirectories: true)
        let name = "rehearse-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let url = runBase.appendingPathComponent(name)
        guard mkdir(url.path, 0o700) == 0 else {
            throw RehearseError.infrastructure("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        let owner = "\(getpid()) \(ProcessIdentity.startTime(of: getpid()) ?? 0)\n"
        try owner.write(to: url.appendingPathComponent("owner"), atomically: false, encoding: .utf8)
        return url
    }
}

/// Tells a live process from a reused pid: the start time in /proc/<pid>/stat.
enum ProcessIdentity {
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 22 of stat is starttime; after the command name it is index 19.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    static func isAlive(pid: pid_t, startTime: UInt64) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        return startTime == 0 || Self.startTime(of: pid) == startTime
    }
}
