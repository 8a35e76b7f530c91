import Foundation
import PostgresClient
import TestSupport
import Testing
@testable import RehearseEngine


@Suite("Embedded server and libpq client")
struct EmbeddedServerTests {
    @Test func startsQueriesAndStops() async throws {
        let binaries = try await PostgresBinaries.locate()
        let server = try await EmbeddedServer.start(binaries: binaries, settings: [("work_mem", "8MB")])
        let runDirectory = server.runDirectory
        let connection = try await Connection.connect(server.conninfo(database: "postgres"))
        let result = try await connection.query("SELECT $1::int + 1, current_setting('work_mem'), current_user", ["41"])
        #expect(result.rows == [["42", "8MB", "postgres"]])
        #expect(connection.serverVersion >= 150000)
        await connection.close()
        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: runDirectory.path))
        #expect(!server.process.isAlive)
    }
}
