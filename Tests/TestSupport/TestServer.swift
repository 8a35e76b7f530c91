// Test support is compiled for testing only (debug builds); release builds see an empty module.
#if DEBUG
    import Foundation
    public import PostgresClient
    @testable public import RehearseEngine

    /// A real embedded server for one test, stopped when the test ends.
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

#endif
