import Foundation
import PostgresClient
import RehearseScenario

/// Reads what a `synthesize` step needs of the tables it fills, from the repetition's
/// own catalog (their types and constraints are the schema's, not the profile's), and
/// joins it with the profile's statistics.
enum SynthesisCatalog {
    /// The catalog's facts of one column beyond the profile's: defaults, generated columns, type limits, domain checks.
    private struct Extra {
        var generated = false
        var hasDefault = false
        var typmod: Int = -1
        var baseType = ""
        var domainChecks: [String] = []
    }

    static func tables(
        _ session: Session, targets: [TableProfile], profiled: [TableProfile], scale: Double, seed: UInt64
    ) throws -> [SynthesisTable] {
        guard !targets.isEmpty else { return [] }
        let oidRows = try session.query(
            "SELECT to_regclass(t)::oid::text FROM unnest($1::text[]) WITH ORDINALITY u(t, i) ORDER BY i",
            [arrayLiteral(targets.map { "\(SQLText.identifier($0.schema)).\(SQLText.identifier($0.name))" })])
        let oids = oidRows.rows.map { $0[0] ?? "0" }
        let list = "{\(oids.joined(separator: ","))}"
        var extras: [String: Extra] = [:]
        let rows = try session.query(
            """
            SELECT a.attrelid::text || '.' || a.attname, (a.attgenerated <> '')::text,
                   (a.atthasdef OR a.attidentity <> '')::text,
                   (CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END)::text, b.typname,
                   (SELECT array_to_json(array_agg(pg_get_constraintdef(c.oid)))::text
                      FROM pg_constraint c WHERE c.contypid = a.atttypid AND c.contype = 'c')
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
            """, [list])
        for row in rows.rows {
            guard let key = row[0] else { continue }
            extras[key] = Extra(
                generated: row[1] == "true", hasDefault: row[2] == "true", typmod: Int(row[3] ?? "") ?? -1, baseType: row[4] ?? "",
                domainChecks: row[5].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
        }
        var checks: [String: [String]] = [:]
        // A partition's bounds are a check of its own (rows outside them are refused), read as one.
        for row in try session.query(
            """
            SELECT conrelid::text, pg_get_expr(conbin, conrelid) FROM pg_constraint
            WHERE contype = 'c' AND conrelid = ANY($1::oid[])
            UNION ALL
            SELECT c.oid::text, pg_get_partition_constraintdef(c.oid) FROM pg_class c
            WHERE c.oid = ANY($1::oid[]) AND c.relispartition AND pg_get_partition_constraintdef(c.oid) IS NOT NULL
            ORDER BY 1, 2
            """,
            [list]
        ).rows {
            if let oid = row[0], let expression = row[1] { checks[oid, default: []].append(expression) }
        }

        var result: [SynthesisTable] = []
        for (index, target) in targets.enumerated() {
            let oid = oids[index]
            let profile = profiled[index]
            let keys = (target.primaryKey.map { [$0] } ?? []) + target.unique
            var columns: [SynthesisColumn] = []
            for column in target.columns {
                let extra = extras["\(oid).\(column.name)"] ?? Extra()
                // A profile's column of another kind (a migration changed its type) gives no statistics to follow.
                let stats = profile.column(column.name).flatMap { $0.kind == column.kind ? $0.stats : nil }
                var c = SynthesisColumn(
                    name: column.name, type: column.type, kind: column.kind, notNull: column.notNull,
                    enumLabels: column.enumLabels, generated: extra.generated, hasDefault: extra.hasDefault, stats: stats)
                c.unique = keys.contains { $0 == [column.name] }
                let texts = limits(&c, extra: extra, checks: checks[oid] ?? [])
                if [.timestamp, .timestamptz, .date].contains(c.kind) {
                    if let low = texts.low, let n = try numbers(session, [low.value], kind: c.kind)?.first { c.low = n }
                    if let high = texts.high, let n = try numbers(session, [high.value], kind: c.kind)?.first {
                        c.high = n
                        c.highExclusive = high.strict
                    }
                }
                if c.orderedKind, let bounds = stats?.histogramBounds, bounds.count >= 2 {
                    c.numericBounds = try numbers(session, bounds, kind: c.kind)
                }
                columns.append(c)
            }
            result.append(
                SynthesisTable(
                    schema: target.schema, name: target.name, rows: Int((profile.rows * scale).rounded()), columns: columns,
                    keys: keys, foreignKeys: target.foreignKeys, checks: checks[oid] ?? [],
                    salt: StableHash.of([String(seed), target.schema, target.name])))
        }
        return result
    }

    /// Type limits and what checks say of the column's values.
    @discardableResult
    private static func limits(
        _ c: inout SynthesisColumn, extra: Extra, checks: [String]
    ) -> (low: (value: String, strict: Bool)?, high: (value: String, strict: Bool)?) {
        let integer = c.kind == .integer
        var bounds = CheckBounds.read(checks, subject: c.name, integer: integer)
        let domain = CheckBounds.read(extra.domainChecks, subject: "VALUE", integer: integer)
        bounds.low = [bounds.low, domain.low].compactMap { $0 }.max()
        bounds.high = [bounds.high, domain.high].compactMap { $0 }.min()
        bounds.allowed = bounds.allowed ?? domain.allowed
        bounds.maxLength = [bounds.maxLength, domain.maxLength].compactMap { $0 }.min()
        switch extra.baseType {
        case "int2": bounds.high = min(bounds.high ?? .infinity, 32767)
        case "int4": bounds.high = min(bounds.high ?? .infinity, 2_147_483_647)
        case "varchar", "bpchar":
            if extra.typmod > 4 { bounds.maxLength = min(bounds.maxLength ?? Int.max, extra.typmod - 4) }
        case "numeric":
            if extra.typmod > 4 {
                let precision = ((extra.typmod - 4) >> 16) & 0xFFFF
                let scale = (extra.typmod - 4) & 0xFFFF
                bounds.high = min(bounds.high ?? .infinity, pow(10, Double(precision - scale)) - 1)
            }
        default: break
        }
        c.low = bounds.low
        c.high = bounds.high.flatMap { $0.isFinite ? $0 : nil }
        c.allowed = c.kind == .text ? bounds.allowed : nil
        c.maxLength = bounds.maxLength
        return (bounds.lowText ?? domain.lowText, bounds.highText ?? domain.highText)
    }

    /// Histogram bounds as numbers the SQL can interpolate: epoch seconds, days, the number itself.
    private static func numbers(_ session: Session, _ bounds: [String], kind: ColumnKind) throws -> [Double]? {
        let f: String =
            switch kind {
            case .timestamptz: "extract(epoch FROM b::timestamptz)"
            case .timestamp: "extract(epoch FROM b::timestamp)"
            case .date: "(b::date - DATE '1970-01-01')"
            default: "b::numeric"
            }
        let text = try session.query(
            "SELECT array_to_json(ARRAY(SELECT (\(f))::float8 FROM unnest($1::text[]) WITH ORDINALITY u(b, i) ORDER BY i))::text",
            [arrayLiteral(bounds)]
        ).scalar
        let values = text.flatMap { try? JSONDecoder().decode([Double].self, from: Data($0.utf8)) }
        return values?.allSatisfy(\.isFinite) == true ? values : nil
    }

    /// A text[] literal (`{"a","b"}`) for a parameter.
    static func arrayLiteral(_ items: [String]) -> String {
        "{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
