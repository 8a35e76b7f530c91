import PostgresClient

/// rehearse's record of applied migrations, in its own schema `_rehearse`
/// (left out of every fingerprint and checksum).
enum MigrationTracker {
    static let ensureSQL = """
        CREATE SCHEMA IF NOT EXISTS _rehearse;
        CREATE TABLE IF NOT EXISTS _rehearse.migrations (
          version text PRIMARY KEY,
          name text NOT NULL,
          file text NOT NULL,
          ordinal integer NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """

    static func ensure(_ session: Session) throws(PostgresError) {
        try session.execute("SET client_min_messages = warning; " + ensureSQL + "; RESET client_min_messages")
    }

    static func applied(_ session: Session) throws(PostgresError) -> [String] {
        let exists = try session.query("SELECT to_regclass('_rehearse.migrations') IS NOT NULL").scalar == "t"
        guard exists else { return [] }
        return try session.query("SELECT version FROM _rehearse.migrations ORDER BY ordinal").rows.compactMap { $0[0] }
    }

    static func record(_ session: Session, version: String, name: String, file: String, ordinal: Int) throws(PostgresError) {
        try session.query(
            "INSERT INTO _rehearse.migrations (version, name, file, ordinal) VALUES ($1, $2, $3, $4)",
            [version, name, file, String(ordinal)])
    }

    static func forget(_ session: Session, version: String) throws(PostgresError) {
        try session.query("DELETE FROM _rehearse.migrations WHERE version = $1", [version])
    }
}
