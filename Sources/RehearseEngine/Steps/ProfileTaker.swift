import Foundation
import PostgresClient
public import RehearseScenario
public import RehearseSupport

/// `rehearse profile`: connects to `url`, reads the profile, redacts it when asked.
public enum ProfileTaker {
    public struct Outcome: Sendable {
        public var profile: Profile
        /// Tables without statistics (never analyzed): their shapes say nothing until `ANALYZE`.
        public var unanalyzed: [String]
    }

    public static func take(url: String, tables: [String]?, redact: Bool) async throws(RehearseError) -> Outcome {
        let connection: Connection
        do {
            connection = try await Connection.connect(url, overrides: [("application_name", "rehearse profile")], label: "rehearse-profile")
        } catch {
            throw .infrastructure("cannot connect: \(SecretMasker.mask(asPostgres(error).message))")
        }
        let result: Result<Profile, any Error>
        do {
            // One snapshot for every catalog read, and nothing that could write.
            result = .success(
                try await connection.withSession { session in
                    // Values as text in one spelling whatever the server's defaults: ISO dates in UTC,
                    // floats that read back exactly.
                    try session.execute(
                        """
                        BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
                        SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL TimeZone = 'UTC'; SET LOCAL extra_float_digits = 1
                        """)
                    defer { _ = try? session.execute("COMMIT") }
                    return try CatalogProfileReader.read(session, tables: tables)
                })
        } catch {
            result = .failure(error)
        }
        await connection.close()
        do {
            let profile = try result.get()
            let unanalyzed = profile.tables.filter { !$0.analyzed }.map(\.qualifiedName)
            return Outcome(profile: redact ? profile.redactingRowValues() : profile, unanalyzed: unanalyzed)
        } catch let unknown as CatalogProfileReader.UnknownTable {
            throw .invalidInput(unknown.description)
        } catch {
            throw .infrastructure(SecretMasker.mask(asPostgres(error).message))
        }
    }
}
