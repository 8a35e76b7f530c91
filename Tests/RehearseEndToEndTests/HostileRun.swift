import Foundation
import PostgresClient
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseResults


#if canImport(Glibc)
    import Glibc
#endif

/// The built `rehearse` run on a scenario folder of its own, with a private run folder
/// base, for the hostile round's tests: they signal it and check what it leaves.
struct HostileRun {
    /// This checkout's build, or `$REHEARSE_TEST_BINARY` (another build: an older one shows the cases fail there).
    static let binary =
        ProcessInfo.processInfo.environment["REHEARSE_TEST_BINARY"].map { URL(fileURLWithPath: $0) }
        ?? Repository.rehearseBinary

    let folder: URL
    let runBase: URL
    let out: URL
    let child: ChildProcess
    let started = ContinuousClock.now

    /// Writes `files` (name → text; `scenario.yaml` among them) and starts `rehearse run` on it.
    static func start(
        _ files: [String: String], arguments: [String] = [], runBase shared: URL? = nil, environment: [String: String] = [:]
    ) throws -> HostileRun {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first (swift build)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rh-hostile-\(UUID().uuidString)")
        for (name, text) in files {
            let file = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: false, encoding: .utf8)
        }
        let runBase = shared ?? folder.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runBase, withIntermediateDirectories: true)
        let out = folder.appendingPathComponent("results")
        var env = ProcessInfo.processInfo.environment
        env["REHEARSE_RUN_DIR"] = runBase.path
        env.merge(environment) { _, given in given }
        let child = try ChildProcess.spawn(
            [binary.path, "run", folder.appendingPathComponent("scenario.yaml").path, "--out", out.path] + arguments,
            environment: env, outputFile: folder.appendingPathComponent("output.txt"))
        return HostileRun(folder: folder, runBase: runBase, out: out, child: child)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// `rehearse ARGUMENTS…` to its end, with this run's folder base.
    func rehearse(_ arguments: [String]) async throws -> (Int32, String) {
        var env = ProcessInfo.processInfo.environment
        env["REHEARSE_RUN_DIR"] = runBase.path
        let (termination, output) = try await ChildProcess.run([Self.binary.path] + arguments, environment: env)
        return (termination.exitCode, output)
    }

    /// Whether the postmaster of a run folder runs.
    static func serverRuns(in folder: URL) -> Bool {
        guard let pidFile = try? String(contentsOf: folder.appendingPathComponent("data/postmaster.pid"), encoding: .utf8),
            let pid = pid_t(pidFile.split(separator: "\n").first ?? "")
        else { return false }
        return kill(pid, 0) == 0
    }

    /// The run's server folder, once it exists.
    var serverFolder: URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runBase.path)) ?? []
        return names.first { $0.hasPrefix("rehearse-\(child.pid)-") }.map { runBase.appendingPathComponent($0) }
    }

    /// Polls (every 20 ms, for at most `limit`, while the run lives) until `condition`
    /// holds; false if it never did.
    func poll(limit: Duration = .seconds(60), _ condition: () async -> Bool) async -> Bool {
        await TestBasics.poll(limit: limit, while: { child.isAlive }, condition)
    }

    /// Waits until a statement containing `text` is active on the run's embedded server.
    func waitForStatement(containing text: String) async -> Bool {
        await poll {
            guard let folder = serverFolder else { return false }
            let conninfo = "host=\(folder.path) port=\(EmbeddedServer.port) user=postgres dbname=postgres"
            guard let connection = try? await Connection.connect(conninfo, label: "rehearse-test-probe") else { return false }
            let count = try? await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
                ["%\(text)%"]
            ).scalar
            await connection.close()
            return count != nil && count != "0"
        }
    }

    /// Waits for the run to end; the exit status and how long after `since` it ended.
    func finish(since: ContinuousClock.Instant) async -> (exitCode: Int32, after: Duration) {
        let termination = await child.wait()
        return (termination.exitCode, ContinuousClock.now - since)
    }

    var output: String { (try? String(contentsOf: folder.appendingPathComponent("output.txt"), encoding: .utf8)) ?? "" }

    /// The one results document the run wrote.
    func document() throws -> ResultsDocument {
        let names = (FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }
        try #require(names.count == 1, "documents: \(names); output: \(output)")
        return try ResultsCoding.decoder().decode(ResultsDocument.self, from: Data(contentsOf: out.appendingPathComponent(names[0])))
    }

    /// Run folders, and processes started from them, that are still there.
    func leftovers() async throws -> [String] {
        var left = (try? FileManager.default.contentsOfDirectory(atPath: runBase.path)) ?? []
        let (_, ps) = try await ChildProcess.run(["ps", "-eo", "args"])
        left += ps.split(separator: "\n").filter { $0.contains(runBase.path) && !$0.contains("ps -eo") }.map(String.init)
        return left
    }
}
