import Foundation
import PostgresClient
import RehearseSupport

/// `rehearse clean`: removes what runs that are gone left behind, kept ones included:
/// run folders and their servers, staging folders in the cluster cache, and, with
/// `--server`, the databases rehearse marked there that no session uses.
public enum Leftovers {
    /// What was removed, one line each.
    public static func clean(server: String?) async throws -> [String] {
        let layout = RunDirectories.shared
        var removed = StaleClusterReaper.reap(base: layout.runBase, includingKept: true).map { "run folder \($0.path)" }
        removed += StaleFiles.reap(layout: layout).map { "stale file \($0.path)" }
        if let server { removed += try await dropMarkedDatabases(server).map { "database \($0)" } }
        return removed
    }

    /// Drops every database rehearse marked on the server that no session is connected
    /// to; a run in progress has sessions on its databases (run clean when none runs).
    static func dropMarkedDatabases(_ conninfo: String) async throws -> [String] {
        guard ConnectionInfo.parse(conninfo) != nil else {
            throw RehearseError.invalidInput(
                "--server: not a valid connection string or URL: \(ConnectionInfo.parseError(conninfo) ?? "")")
        }
        do {
            return try await Connection.with(conninfo, label: "rehearse-clean") { admin in
                let rows = try await admin.query(
                    """
                    SELECT datname FROM pg_database d
                    WHERE datname LIKE 'rehearse\\_%' AND shobj_description(oid, 'pg_database') LIKE 'rehearse:%'
                      AND datname <> current_database()
                      AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)
                    ORDER BY datname
                    """)
                var dropped: [String] = []
                for name in rows.rows.compactMap({ $0[0] }) {
                    try await admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name))")
                    dropped.append(name)
                }
                return dropped
            }
        } catch let error as PostgresError {
            throw RehearseError.infrastructure("cannot clean the server \(SecretMasker.mask(conninfo)): \(error.message)")
        }
    }
}
