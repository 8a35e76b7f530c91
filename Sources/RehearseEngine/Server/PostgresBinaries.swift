import Foundation
import RehearseSupport

/// Where the PostgreSQL server programs (`initdb`, `postgres`) live.
struct PostgresBinaries: Sendable {
    var directory: URL
    /// `15.18`, from `postgres --version`.
    var version: String

    var initdb: String { directory.appendingPathComponent("initdb").path }
    var postgres: String { directory.appendingPathComponent("postgres").path }

    /// Searches `explicit`, PATH, `pg_config --bindir`, then `/usr/lib/postgresql/*/bin` (newest first).
    static func locate(explicit: String? = nil) async throws -> PostgresBinaries {
        var candidates: [URL] = []
        if let explicit {
            // Named on the command line: it is that folder or an error, never a search.
            let dir = URL(fileURLWithPath: explicit)
            guard FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("postgres").path),
                FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("initdb").path)
            else {
                throw RehearseError.invalidInput("--pg-bin \(explicit): no initdb and postgres programs in this folder")
            }
            candidates.append(dir)
        }
        if let env = ProcessInfo.processInfo.environment["REHEARSE_PG_BIN"] {
            candidates.append(URL(fileURLWithPath: env))
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(URL(fileURLWithPath: String(dir)))
        }
        if let (t, out) = try? await ChildProcess.run(["pg_config", "--bindir"]), t.succeeded {
            candidates.append(URL(fileURLWithPath: out.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        for v in versions { candidates.append(root.appendingPathComponent(v).appendingPathComponent("bin")) }

        for dir in candidates {
            let fm = FileManager.default
            guard fm.isExecutableFile(atPath: dir.appendingPathComponent("initdb").path),
                fm.isExecutableFile(atPath: dir.appendingPathComponent("postgres").path)
            else { continue }
            let (t, out) = try await ChildProcess.run([dir.appendingPathComponent("postgres").path, "--version"])
            guard t.succeeded else { continue }
            return PostgresBinaries(directory: dir, version: version(fromVersionOutput: out))
        }
        throw RehearseError.infrastructure(
            "no PostgreSQL server programs found (initdb, postgres): install them (apt-get install postgresql) "
                + "or pass --pg-bin DIR")
    }
}
