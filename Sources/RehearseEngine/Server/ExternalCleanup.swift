import PostgresClient

/// Drops the databases of one run on an external server, synchronously: for
/// signal handlers, where the run's own tasks can no longer be trusted to finish.
enum ExternalCleanup {
    static func dropRunDatabases(conninfo: String, runID: String) {
        guard let session = try? Session.open(conninfo: conninfo) else { return }
        let names =
            (try? session.query(
                "SELECT datname FROM pg_database WHERE datname LIKE $1 AND shobj_description(oid, 'pg_database') = $2",
                ["rehearse\\_\(runID)\\_%", "rehearse:\(runID)"]
            ).rows.compactMap { $0[0] }) ?? []
        for name in names {
            _ = try? session.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
        }
    }
}
