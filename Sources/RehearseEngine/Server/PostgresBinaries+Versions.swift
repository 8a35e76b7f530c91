import Foundation
import RehearseResults
import RehearseSupport

/// Finding the server programs of one PostgreSQL major version (`database.versions`, `--pg`).
extension PostgresBinaries {
    /// The major version of these programs (`16` for `16.2`).
    var major: Int? { PostgresMajor.of(version) }

    /// The version in `postgres --version` output: "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    /// gives `15.18`, the word after "(PostgreSQL)".
    static func version(fromVersionOutput output: String) -> String {
        let words = output.split(whereSeparator: \.isWhitespace).map(String.init)
        return words.firstIndex(of: "(PostgreSQL)").flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
            ?? words.first(where: { $0.first?.isNumber == true }) ?? "unknown"
    }

    /// The places searched for `major`, in order: the `--pg-bin` folders, `REHEARSE_PG_BIN`,
    /// `/usr/lib/postgresql/<major>/bin`, then the `PATH`.
    static func searchPath(major: Int, explicit: [String], environment: [String: String]) -> [String] {
        var places = explicit
        if let env = environment["REHEARSE_PG_BIN"], !env.isEmpty { places.append(env) }
        places.append("/usr/lib/postgresql/\(major)/bin")
        for dir in (environment["PATH"] ?? "").split(separator: ":") where !dir.isEmpty { places.append(String(dir)) }
        var seen = Set<String>()
        return places.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
    }

    /// The first folder on the search path whose `postgres --version` says `major`, run as the
    /// server's account (so a folder that account cannot read or run is passed over, and said so).
    /// None: an infrastructure error naming every place looked at, what each held, and how to
    /// install that version.
    static func locate(major: Int, explicit: [String]) async throws -> PostgresBinaries {
        for dir in explicit {
            let url = URL(fileURLWithPath: dir)
            guard FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("postgres").path),
                FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("initdb").path)
            else { throw RehearseError.invalidInput("--pg-bin \(dir): no initdb and postgres programs in this folder") }
        }
        let account = try ServerAccount.current()
        var looked: [String] = []
        for dir in searchPath(major: major, explicit: explicit, environment: ProcessInfo.processInfo.environment) {
            switch await identify(directory: dir, account: account) {
            case .found(let binaries) where binaries.major == major: return binaries
            case .found(let binaries): looked.append("\(dir) (PostgreSQL \(binaries.version))")
            case .absent: if explicit.contains(dir) || dir.hasPrefix("/usr/lib/postgresql/") { looked.append("\(dir) (none)") }
            case .unusable(let why): looked.append("\(dir) (\(why))")
            }
        }
        throw RehearseError.infrastructure(notFoundMessage(major: major, looked: looked))
    }

    static func notFoundMessage(major: Int, looked: [String]) -> String {
        "PostgreSQL \(major) not found. Looked in: " + looked.joined(separator: "; ")
            + " and the other folders of PATH (no postgres there). Install it (Debian/Ubuntu: apt-get install postgresql-\(major), "
            + "from the PGDG apt repository where the release does not ship \(major)), or pass --pg-bin DIR "
            + "(a folder with initdb and postgres of version \(major)), readable and runnable by the server's account."
    }

    enum Identification: Sendable {
        case found(PostgresBinaries)
        case absent
        case unusable(String)
    }

    private static let identified = Locked<[String: Identification]>([:])

    /// What a folder holds, asked once per process: each answer costs two child processes.
    static func identify(directory: String, account: ServerAccount) async -> Identification {
        if let known = identified.value[directory] { return known }
        let answer = await identifyUncached(directory: directory, account: account)
        identified.withLock { $0[directory] = answer }
        return answer
    }

    private static func identifyUncached(directory: String, account: ServerAccount) async -> Identification {
        let url = URL(fileURLWithPath: directory)
        let postgres = url.appendingPathComponent("postgres").path
        let initdb = url.appendingPathComponent("initdb").path
        guard FileManager.default.isExecutableFile(atPath: postgres), FileManager.default.isExecutableFile(atPath: initdb)
        else { return .absent }
        // initdb loads libpq and postgres the server's own libraries: both must start as the
        // account that will run them. Behind a folder that account cannot enter (a 0700 home)
        // they may still start, but cannot check their own path ("invalid binary": initdb then
        // cannot find postgres, nor postgres its share folder).
        guard let (p, out) = try? await ChildProcess.run(account.command([postgres, "--version"])), p.succeeded,
            let (i, initdbOut) = try? await ChildProcess.run(account.command([initdb, "--version"])), i.succeeded,
            !(out + initdbOut).contains("invalid binary")
        else {
            return .unusable(
                account.needsSwitch
                    ? "its programs do not run as the server's account '\(account.name)': check that it can read and enter every folder up to them"
                    : "its programs do not run")
        }
        let line = out.split(separator: "\n").first { $0.contains("(PostgreSQL)") }.map(String.init) ?? out
        return .found(PostgresBinaries(directory: url, version: version(fromVersionOutput: line)))
    }
}
