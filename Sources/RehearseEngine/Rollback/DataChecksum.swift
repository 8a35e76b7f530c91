import Foundation
import PostgresClient
import RehearseResults

/// Per-table row counts and an order-independent checksum (a sum of row
/// hashes), so VACUUM FULL or CLUSTER, which move rows, change nothing. A row is
/// hashed with its columns in name order, so the same rows compare equal whatever
/// the order of the table's columns.
struct DataChecksum: Sendable, Equatable, Codable {
    struct Table: Sendable, Equatable, Codable {
        var rows: Int
        var checksum: String
    }

    var tables: [String: Table]
    /// Sequence values, `schema.name` → last_value/is_called.
    var sequences: [String: String]

    static func take(_ session: Session) throws(PostgresError) -> DataChecksum {
        let list = try session.query(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname || '.' || c.relname,
                   (SELECT string_agg('t.' || quote_ident(a.attname), ', ' ORDER BY a.attname COLLATE "C")
                    FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r','p','m') AND n.nspname NOT IN \(CatalogFingerprint.excludedSchemas)
              AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
              AND (c.relkind <> 'm' OR c.relispopulated)
            ORDER BY 2
            """)
        var tables: [String: Table] = [:]
        for row in list.rows {
            guard let quoted = row[0], let name = row[1] else { continue }
            // Columns in name order, not the table's: a column that moved is a schema
            // difference (the fingerprint says so), its rows are the same data.
            let result = try session.query(
                """
                SELECT count(*), coalesce(sum(('x' || left(md5(ROW(\(row[2] ?? ""))::text), 16))::bit(64)::bigint::numeric), 0)::text
                FROM \(quoted) t
                """)
            tables[name] = Table(rows: Int(result.rows[0][0] ?? "0") ?? 0, checksum: result.rows[0][1] ?? "0")
        }
        var sequences: [String: String] = [:]
        for row in try session.query(
            """
            SELECT schemaname || '.' || sequencename, coalesce(last_value::text, 'unset')
            FROM pg_sequences WHERE schemaname NOT IN \(CatalogFingerprint.excludedSchemas)
            """
        ).rows {
            if let name = row[0] { sequences[name] = row[1] ?? "" }
        }
        return DataChecksum(tables: tables, sequences: sequences)
    }

    func differences(from snapshot: DataChecksum, snapshotName: String) -> [Difference] {
        var result: [Difference] = []
        for name in Set(tables.keys).union(snapshot.tables.keys).sorted() {
            let then = snapshot.tables[name]
            let now = tables[name]
            guard then != now else { continue }
            // A table on one side only is a data difference too (`verify: [data]` alone must see it).
            guard let then, let now else {
                let (change, detail) =
                    then == nil
                    ? ("added", "\(now?.rows ?? 0) rows after rollback, no such table at snapshot \(snapshotName)")
                    : ("removed", "no such table after rollback, \(then?.rows ?? 0) rows at snapshot \(snapshotName)")
                result.append(Difference(object: "data \(name)", kind: "data", change: change, detail: detail))
                continue
            }
            let detail =
                then.rows != now.rows
                ? "\(now.rows) rows after rollback, \(then.rows) at snapshot \(snapshotName)"
                : "same row count (\(now.rows)), different contents than at snapshot \(snapshotName)"
            result.append(Difference(object: "data \(name)", kind: "data", change: "changed", detail: detail))
        }
        for name in Set(sequences.keys).intersection(snapshot.sequences.keys).sorted()
        where sequences[name] != snapshot.sequences[name] {
            result.append(
                Difference(
                    object: "sequence value \(name)", kind: "sequence value", change: "changed",
                    detail: "\(sequences[name] ?? "") after rollback, \(snapshot.sequences[name] ?? "") at snapshot \(snapshotName)"))
        }
        return result
    }
}
