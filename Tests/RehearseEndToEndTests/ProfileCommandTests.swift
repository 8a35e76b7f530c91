import Foundation
import PostgresClient
import Testing
import TestSupport
@testable import RehearseEngine
@testable import RehearseScenario


/// `rehearse profile` as a user runs it: the built binary, its file and its exit codes.
@Suite("rehearse profile on the command line")
struct ProfileCommandTests {
    func rehearse(_ arguments: [String]) async throws -> (Int32, String) {
        let binary = CommandLineTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run([binary.path] + arguments)
        return (termination.exitCode, output)
    }

    @Test func writesARedactedProfileAndMapsErrorsToExitCodes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-profcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("p.json").path

        let (unreachable, message) = try await rehearse(
            ["profile", "host=/nonexistent-dir port=5 user=x dbname=y connect_timeout=2", "--out", out])
        #expect(unreachable == 3, "\(message)")

        try await withTestServer { server in
            let connection = try await server.connect()
            _ = try await connection.execute(
                """
                CREATE TABLE secrets (id int PRIMARY KEY, word text NOT NULL);
                INSERT INTO secrets SELECT i, 'classified-' || (i % 7) FROM generate_series(1, 1000) i;
                CREATE TABLE other (id int);
                ANALYZE secrets;
                """)
            await connection.close()
            let url = server.server.conninfo(database: "postgres")
            let (ok, printed) = try await rehearse(["profile", url, "--out", out, "--tables", "secrets,other", "--redact"])
            #expect(ok == 0, "\(printed)")
            #expect(printed.contains("public.other has no statistics"), "\(printed)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(!text.contains("classified"))
            let profile = try ProfileFile.load(URL(fileURLWithPath: out))
            #expect(profile.redacted && profile.tables.map(\.name) == ["secrets", "other"])
            #expect(profile.table(named: "secrets")?.column("word")?.stats?.mostCommonFreqs?.count == 7)

            let (missing, why) = try await rehearse(["profile", url, "--out", out, "--table", "nope"])
            #expect(missing == 2 && why.contains("no table 'nope'"), "\(why)")
        }
    }
}
