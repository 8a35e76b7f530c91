// Test support is compiled for testing only (debug builds); release builds see an empty module.
#if DEBUG
    import Foundation
    public import PostgresClient
    @testable public import RehearseEngine

    /// A real embedded server for one test; `withTestServer` stops it when the test ends.
    public struct TestServer: Sendable {
        public let server: EmbeddedServer

        public static func start(settings: [(String, String)] = []) async throws -> TestServer {
            let binaries = try await PostgresBinaries.locate()
            return TestServer(server: try await EmbeddedServer.start(binaries: binaries, settings: settings))
        }

        public func connect(_ database: String = "postgres") async throws -> Connection {
            try await Connection.connect(server.conninfo(database: database))
        }

        public func stop() async { await server.stop() }
    }

    /// Runs `body` with a real embedded server and stops the server before it returns,
    /// whether `body` returns or throws: no server outlives its test.
    public func withTestServer<T>(
        settings: [(String, String)] = [], _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let db = try await TestServer.start(settings: settings)
        do {
            let result = try await body(db)
            await db.stop()
            return result
        } catch {
            await db.stop()
            throw error
        }
    }

#endif
