import Foundation
import RehearseSupport

/// The cluster that `initdb` makes once per server version; every run copies it
/// instead of running `initdb` again (a copy takes a fraction of initdb's time).
enum PristineCluster {
    /// The options that shape the cluster on disk; they and the version key the cache.
    static let initdbOptions = ["--no-locale", "--encoding=UTF8", "--auth=trust", "--username=postgres", "--no-sync"]

    static func key(version: String) -> String {
        let options = initdbOptions.joined(separator: " ")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in options.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "pristine-\(version)-\(String(hash, radix: 16))"
    }

    /// The cached pristine cluster's folder, made now if it is missing.
    static func ensure(binaries: PostgresBinaries, account: ServerAccount, layout: RunDirectories) async throws -> URL {
        let fm = FileManager.default
        let target = layout.cacheBase.appendingPathComponent(key(version: binaries.version))
        if isIntact(target) { return target }
        if fm.fileExists(atPath: target.path) { discard(binaries: binaries, layout: layout) }
        try fm.createDirectory(at: layout.cacheBase, withIntermediateDirectories: true)

        // initdb runs as the server account, in a run folder it can reach (the
        // cache may sit in a home folder that account cannot enter).
        let work = try layout.makeRunDirectory()
        defer { try? fm.removeItem(at: work) }
        try account.own(work)
        let data = work.appendingPathComponent("data")
        let log = work.appendingPathComponent("initdb.log")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["LC_ALL"] = "C"
        let child = try ChildProcess.spawn(
            account.command([binaries.initdb, "-D", data.path] + initdbOptions), environment: environment,
            outputFile: log)
        let termination = await child.wait()
        guard termination.succeeded else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw RehearseError.infrastructure("initdb failed (exit \(termination.exitCode)):\n\(text)")
        }
        // Copy beside the target, then rename: concurrent runs never see half a cluster.
        let staging = layout.cacheBase.appendingPathComponent(StaleFiles.stagingName())
        let (copy, out) = try await ChildProcess.run(["cp", "-a", data.path, staging.path])
        guard copy.succeeded else { throw RehearseError.infrastructure("cannot cache the pristine cluster: \(out)") }
        if rename(staging.path, target.path) != 0 {
            try? fm.removeItem(at: staging)
            guard isIntact(target) else {
                throw RehearseError.infrastructure("cannot move the pristine cluster into \(target.path)")
            }
        }
        return target
    }

    /// The files every cluster has, at their sizes: a cache that lost or truncated one
    /// (a full disk, a hand) would make every server copied from it die at start.
    static func isIntact(_ cluster: URL) -> Bool {
        let control = try? FileManager.default.attributesOfItem(atPath: cluster.appendingPathComponent("global/pg_control").path)
        return FileManager.default.fileExists(atPath: cluster.appendingPathComponent("PG_VERSION").path)
            && FileManager.default.fileExists(atPath: cluster.appendingPathComponent("base").path)
            && (control?[.size] as? NSNumber)?.intValue == 8192
    }

    /// Removes the cached cluster, so the next `ensure` makes it again. Renamed away first:
    /// a run copying it at that moment sees the whole cluster or none.
    static func discard(binaries: PostgresBinaries, layout: RunDirectories) {
        let target = layout.cacheBase.appendingPathComponent(key(version: binaries.version))
        let doomed = layout.cacheBase.appendingPathComponent(StaleFiles.stagingName())
        if rename(target.path, doomed.path) == 0 { try? FileManager.default.removeItem(at: doomed) }
    }
}
