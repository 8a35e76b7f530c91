import Foundation
import PostgresClient
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A disposable PostgreSQL cluster of rehearse's own, on a Unix socket in a
/// private folder, copied from a pristine cluster that `initdb` made once.
final class EmbeddedServer: Sendable {
    static let port = 5432
    /// Settings that make a throw-away server fast; recorded in the results.
    static let fastSettings: [(String, String)] = [
        ("fsync", "off"), ("synchronous_commit", "off"), ("full_page_writes", "off"),
        // Dynamic shared memory in the data folder, not /dev/shm: a server that is killed
        // then leaves no segment behind, since its folder is removed.
        ("dynamic_shared_memory_type", "mmap"),
    ]

    let binaries: PostgresBinaries
    let account: ServerAccount
    let runDirectory: URL
    let dataDirectory: URL
    let process: ChildProcess
    let settings: [(String, String)]
    let memoryCap: ServerMemoryCap?
    private let cleanupToken: Int

    var socketDirectory: URL { runDirectory }

    private init(
        binaries: PostgresBinaries, account: ServerAccount, runDirectory: URL, process: ChildProcess,
        settings: [(String, String)], memoryCap: ServerMemoryCap?, cleanupToken: Int
    ) {
        self.binaries = binaries
        self.account = account
        self.runDirectory = runDirectory
        self.dataDirectory = runDirectory.appendingPathComponent("data")
        self.process = process
        self.settings = settings
        self.memoryCap = memoryCap
        self.cleanupToken = cleanupToken
    }

    /// The connection string of a database on this server.
    func conninfo(database: String) -> String {
        "host=\(socketDirectory.path) port=\(Self.port) user=postgres dbname=\(database)"
    }

    var connectionParameters: [String: String] {
        ["host": socketDirectory.path, "port": "\(Self.port)", "user": "postgres"]
    }

    /// Copies the pristine cluster into a new run folder and starts a server on it.
    static func start(
        binaries: PostgresBinaries, settings userSettings: [(String, String)], memoryCapBytes: Int64? = nil
    ) async throws -> EmbeddedServer {
        let account = try ServerAccount.current()
        let layout = RunDirectories.shared
        StaleClusterReaper.reap(base: layout.runBase)
        StaleFiles.reap(layout: layout)
        let runDirectory = try layout.makeRunDirectory()
        var tokens: [Int] = []
        tokens.append(
            CleanupRegistry.shared.register("remove \(runDirectory.path)") {
                EmbeddedServer.removeDirectory(runDirectory)
            })
        do {
            Diagnostics.mark("embedded: run folder")
            let pristine = try await PristineCluster.ensure(binaries: binaries, account: account, layout: layout)
            Diagnostics.mark("embedded: pristine cluster")
            let data = runDirectory.appendingPathComponent("data")
            let (copy, out) = try await ChildProcess.run(["cp", "-a", pristine.path, data.path])
            guard copy.succeeded else { throw RehearseError.infrastructure("cannot copy the pristine cluster: \(out)") }
            Diagnostics.mark("embedded: copied")
            try account.own(runDirectory)
            Diagnostics.mark("embedded: owned")

            var settings = fastSettings
            settings.append(("listen_addresses", ""))
            settings.append(("unix_socket_directories", runDirectory.path))
            settings.append(("port", "\(port)"))
            for (name, value) in userSettings {
                settings.removeAll { $0.0 == name }
                settings.append((name, value))
            }
            var command = [binaries.postgres, "-D", data.path]
            for (name, value) in settings { command += ["-c", "\(name)=\(value)"] }
            command = account.command(command)
            var cap: ServerMemoryCap?
            if let memoryCapBytes {
                let prepared = try ServerMemoryCap.prepare(bytes: memoryCapBytes, runDirectory: runDirectory)
                tokens.append(CleanupRegistry.shared.register("remove memory cap") { prepared.remove() })
                command = prepared.wrap(command)
                cap = prepared
            }
            let log = runDirectory.appendingPathComponent("server.log")
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
            environment["LC_ALL"] = "C"
            let process = try ChildProcess.spawn(command, environment: environment, outputFile: log)
            for token in tokens { CleanupRegistry.shared.unregister(token) }
            let finalCap = cap
            let token = CleanupRegistry.shared.register("stop server \(process.pid)") {
                EmbeddedServer.stopSynchronously(pid: process.pid)
                EmbeddedServer.removeDirectory(runDirectory)
                finalCap?.remove()
            }
            tokens = [token]
            let server = EmbeddedServer(
                binaries: binaries, account: account, runDirectory: runDirectory, process: process,
                settings: settings, memoryCap: cap, cleanupToken: token)
            Diagnostics.mark("embedded: spawned")
            try await server.waitUntilReady(log: log)
            Diagnostics.mark("embedded: ready")
            return server
        } catch {
            for token in tokens.reversed() { CleanupRegistry.shared.run(token) }
            throw error
        }
    }

    private func waitUntilReady(log: URL) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if !process.isAlive { break }
            if let connection = try? await Connection.connect(conninfo(database: "postgres"), label: "rehearse-ping") {
                await connection.close()
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let tail = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(8)
            .joined(separator: "\n")
        throw RehearseError.infrastructure("the embedded PostgreSQL server did not start:\n\(tail)")
    }

    /// Stops the server (fast shutdown, then harder) and removes its folder.
    func stop() async {
        process.signal(SIGINT)
        let waited = Task { await process.wait() }
        let exited = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await waited.value; return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10)); return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !exited {
            process.signal(SIGKILL)
            _ = await waited.value
        }
        CleanupRegistry.shared.unregister(cleanupToken)
        // The group first: one that will not go keeps the run folder (and its `cgroup`
        // file), so the next run's reaper tries again.
        if memoryCap?.remove() == false { return }
        Self.removeDirectory(runDirectory)
    }

    /// For signal handlers: immediate shutdown and a bounded wait.
    static func stopSynchronously(pid: pid_t) {
        guard kill(pid, 0) == 0 else { return }
        kill(pid, SIGQUIT)
        for _ in 0..<200 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid || kill(pid, 0) != 0 { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// A `kept` file beside `owner`: the owner will be gone, and the server must stay.
    func markKept() {
        FileManager.default.createFile(atPath: runDirectory.appendingPathComponent(StaleClusterReaper.keptFile).path, contents: nil)
    }

    static func removeDirectory(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }
}
