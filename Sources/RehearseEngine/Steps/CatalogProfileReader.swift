import Foundation
import PostgresClient
import RehearseScenario

/// Reads a profile from a server's catalog and statistics: `pg_class`, `pg_stats`,
/// `pg_attribute`, `pg_constraint`, `pg_index`. It reads no table rows (so it takes
/// no lock on a table), and it is how a `synthesize` step reads the tables it fills
/// and, after `ANALYZE`, what it made of them.
enum CatalogProfileReader {
    /// A table named with `--table` (or `tables:`) that the server does not have.
    struct UnknownTable: Error, Sendable, CustomStringConvertible {
        var name: String
        var description: String { "no table '\(name)' in the database" }
    }

    /// The profile of `tables` (names as SQL writes them, `schema.table` or a name on the
    /// search path), or of every ordinary table of `public` when `tables` is nil.
    static func read(_ session: Session, tables: [String]? = nil) throws -> Profile {
        let version = try session.query("SHOW server_version").scalar ?? ""
        let database = try session.query("SELECT current_database()").scalar ?? ""
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let source = Profile.Source(serverVersion: version, database: database, takenAt: formatter.string(from: Date()))
        return Profile(source: source, tables: try readTables(session, tables: tables))
    }

    static func readTables(_ session: Session, tables: [String]?) throws -> [TableProfile] {
        var oids: [String] = []
        if let tables {
            for name in tables {
                // to_regclass parses the name as SQL does (quotes, search path) and is NULL when there is none.
                let row = try session.query(
                    "SELECT c.oid::text FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relkind = 'r'", [name])
                guard let oid = row.scalar else { throw UnknownTable(name: name) }
                if !oids.contains(oid) { oids.append(oid) }
            }
        } else {
            let rows = try session.query(
                """
                SELECT c.oid::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname
                """)
            oids = rows.rows.compactMap { $0[0] }
        }
        guard !oids.isEmpty else { return [] }
        let list = "{\(oids.joined(separator: ","))}"
        var byOID: [String: TableProfile] = [:]
        let tableRows = try session.query(
            """
            SELECT c.oid::text, n.nspname, c.relname, c.reltuples::float8::text, c.relpages::text,
                   (c.reltuples >= 0 AND (c.reltuples > 0 OR c.relpages > 0
                        OR EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)))::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = ANY($1::oid[])
            """, [list])
        for row in tableRows.rows {
            guard let oid = row[0], let schema = row[1], let name = row[2] else { continue }
            let analyzed = row[5] == "true"
            byOID[oid] = TableProfile(
                schema: schema, name: name, rows: analyzed ? max(0, Double(row[3] ?? "") ?? 0) : 0,
                pages: Int(row[4] ?? "") ?? 0, analyzed: analyzed, columns: [])
        }
        for (oid, column) in try readColumns(session, list: list) { byOID[oid]?.columns.append(column) }
        try readConstraints(session, list: list, into: &byOID)
        return oids.compactMap { byOID[$0] }
    }

    private static func readColumns(_ session: Session, list: String) throws -> [(String, ColumnProfile)] {
        // Domains are generated as their base type; an array's statistics are left out
        // (their text form is not one value per element).
        let rows = try session.query(
            """
            SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::text,
                   b.typname, b.typtype::text,
                   (SELECT array_to_json(array_agg(e.enumlabel ORDER BY e.enumsortorder))::text
                      FROM pg_enum e WHERE e.enumtypid = b.oid),
                   s.null_frac::float8::text, s.n_distinct::float8::text,
                   CASE WHEN b.typcategory <> 'A' THEN array_to_json(s.most_common_vals::text::text[])::text END,
                   array_to_json(s.most_common_freqs)::text,
                   CASE WHEN b.typcategory <> 'A' THEN array_to_json(s.histogram_bounds::text::text[])::text END,
                   s.avg_width::text, s.correlation::float8::text
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
                                 AND NOT s.inherited
            WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum
            """, [list])
        return rows.rows.compactMap { row in
            guard let oid = row[0], let name = row[1], let type = row[2] else { return nil }
            let enumLabels = row[6].flatMap { decode([String].self, $0) }
            let kind = self.kind(typname: row[4] ?? "", typtype: row[5] ?? "")
            var stats: ColumnStats?
            if let nullFrac = row[7].flatMap(Double.init), let nDistinct = row[8].flatMap(Double.init) {
                stats = ColumnStats(
                    nullFrac: nullFrac, nDistinct: nDistinct, mostCommonVals: row[9].flatMap { decode([String].self, $0) },
                    mostCommonFreqs: row[10].flatMap { decode([Double].self, $0) },
                    histogramBounds: row[11].flatMap { decode([String].self, $0) }, avgWidth: Int(row[12] ?? "") ?? 0,
                    correlation: row[13].flatMap(Double.init))
            }
            return (
                oid,
                ColumnProfile(
                    name: name, type: type, kind: kind, notNull: row[3] == "true", enumLabels: kind == .enum ? enumLabels : nil,
                    stats: stats)
            )
        }
    }

    private static func readConstraints(_ session: Session, list: String, into tables: inout [String: TableProfile]) throws {
        let rows = try session.query(
            """
            SELECT con.conrelid::text, con.conname, con.contype::text,
                   (SELECT array_to_json(array_agg(a.attname ORDER BY k.i))::text
                      FROM unnest(con.conkey) WITH ORDINALITY k(num, i)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num),
                   fn.nspname, fc.relname,
                   (SELECT array_to_json(array_agg(a.attname ORDER BY k.i))::text
                      FROM unnest(con.confkey) WITH ORDINALITY k(num, i)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num),
                   pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            LEFT JOIN pg_class fc ON fc.oid = con.confrelid
            LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE con.conrelid = ANY($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c')
            UNION ALL
            SELECT i.indrelid::text, ic.relname, 'u',
                   (SELECT array_to_json(array_agg(a.attname ORDER BY k.i))::text
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, i)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num),
                   NULL, NULL, NULL, NULL
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE i.indrelid = ANY($1::oid[]) AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL
              AND i.indexprs IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
            ORDER BY 1, 2
            """, [list])
        for row in rows.rows {
            guard let oid = row[0], let name = row[1], let type = row[2] else { continue }
            let columns = row[3].flatMap { decode([String].self, $0) } ?? []
            switch type {
            case "p": tables[oid]?.primaryKey = columns
            case "u": if !columns.isEmpty { tables[oid]?.unique.append(columns) }
            case "f":
                guard let schema = row[4], let table = row[5], let referenced = row[6].flatMap({ decode([String].self, $0) }) else {
                    continue
                }
                tables[oid]?.foreignKeys.append(
                    ForeignKeyProfile(name: name, columns: columns, references: .init(schema: schema, table: table, columns: referenced)))
            case "c": tables[oid]?.checks.append(CheckProfile(name: name, definition: row[7] ?? ""))
            default: break
            }
        }
    }

    static func kind(typname: String, typtype: String) -> ColumnKind {
        if typtype == "e" { return .enum }
        switch typname {
        case "int2", "int4", "int8": return .integer
        case "numeric", "float4", "float8": return .numeric
        case "text", "varchar", "bpchar", "name", "citext": return .text
        case "timestamp": return .timestamp
        case "timestamptz": return .timestamptz
        case "date": return .date
        case "bool": return .boolean
        case "uuid": return .uuid
        case "json": return .json
        case "jsonb": return .jsonb
        default: return .other
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
