import PostgresClient
import Testing

@testable import RehearseEngine

/// Which server errors the workload driver takes for a cached plan that changed (no
/// database: the retry on a real server is in PipelineTests).
@Suite("Cached plan changes")
struct CachedPlanChangeTests {
    /// The retry is decided by the SQLSTATE and the server function that raised it,
    /// which are never translated: a server with `lc_messages` in German says
    /// "der gecachte Plan darf den Ergebnistyp nicht ändern", and other 0A000s
    /// (a feature not supported) are not plan changes.
    @Test func aCachedPlanChangeIsKnownWhateverTheLanguage() {
        let german = PostgresError(
            kind: .server, sqlstate: "0A000", message: "der gecachte Plan darf den Ergebnistyp nicht ändern",
            routine: "RevalidateCachedQuery")
        let other = PostgresError(
            kind: .server, sqlstate: "0A000", message: "cached plan talk in a different error", routine: "transformLockingClause")
        #expect(german.invalidatesCachedPlan)
        #expect(!other.invalidatesCachedPlan)
    }
}
