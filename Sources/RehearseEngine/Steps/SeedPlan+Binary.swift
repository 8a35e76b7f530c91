import Foundation
import PostgresClient

extension SeedPlan {
    /// The encoder for the header's columns, when every one has a type it converts and
    /// the session's encodings are UTF-8 (the file's, which the reader checks); nil keeps
    /// the table on CSV. Runs on the session's thread. The settings read here (encodings,
    /// TimeZone) are taken to be every stream's: the streams' connections open with the
    /// same connection string and the database's defaults, and a seed sets nothing.
    static func binaryEncoder(_ table: String, header: [String], session: Session) throws(PostgresError) -> BinaryCopyEncoder? {
        // REHEARSE_SEED_FORMAT=csv: every chunk as CSV, to measure what binary saves.
        if ProcessInfo.processInfo.environment["REHEARSE_SEED_FORMAT"] == "csv" { return nil }
        let found = try session.query(
            """
            SELECT a.attname, a.atttypid::int8, t.typtype::text,
                   current_setting('client_encoding') = 'UTF8' AND current_setting('server_encoding') = 'UTF8',
                   current_setting('TimeZone') IN ('UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'UCT', 'Etc/UCT', 'Universal',
                                                   'Etc/Universal', 'Zulu', 'Etc/Zulu', 'GMT0', 'Etc/GMT0'),
                   current_setting('server_version_num')::int >= 120000
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
            """, [table])
        var types: [String: BinaryCopyEncoder.Column] = [:]
        for row in found.rows {
            guard row[3] == "t" else { return nil }
            guard let name = row[0], let oid = row[1].flatMap({ UInt32($0) }), let typtype = row[2],
                let column = BinaryCopyEncoder.column(typeOID: oid, typtype: typtype, utc: row[4] == "t", float4: row[5] == "t")
            else { continue }
            types[name] = column
        }
        var columns: [BinaryCopyEncoder.Column] = []
        for name in header {
            guard let column = types[name] else { return nil }
            columns.append(column)
        }
        return BinaryCopyEncoder(columns: columns)
    }
}
