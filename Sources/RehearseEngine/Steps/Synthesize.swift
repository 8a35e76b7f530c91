import Foundation
import PostgresClient
import RehearseScenario
import RehearseResults
import RehearseSupport

/// The `synthesize` step: fills tables earlier steps created with rows shaped like the
/// profile at `scale`, parents before children, each table with set-based SQL the server
/// runs (`SynthesisPlan`), then reports each table's fidelity: the profile's statistics
/// next to the ones `ANALYZE` finds on what was generated.
enum Synthesize {
    /// Passes after the first for rows a unique key, a check or a missing parent refused.
    static let maxExtraPasses = 20

    static func run(_ spec: SynthesizeSpec, context: StepContext) async -> StepMeasurement {
        guard let profile = spec.profile else {
            var m = StepMeasurement()
            m.fail(message: "no profile loaded from \(spec.profileFile.path)")
            return m
        }
        return await context.withConnection { connection in
            do {
                return try await connection.cancellable { session in try fill(spec, profile: profile, session: session) }
            } catch {
                var m = StepMeasurement()
                m.fail(asPostgres(error))
                return m
            }
        }
    }

    static func fill(_ spec: SynthesizeSpec, profile: Profile, session: Session) throws -> StepMeasurement {
        // Histogram bounds were written in UTC and ISO (rehearse profile does so); read them back alike.
        try session.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'")
        var measurement = StepMeasurement()
        var report: [String: SynthesizedTable] = [:]
        let chosen = spec.tables.map { $0.compactMap { profile.table(named: $0) } } ?? profile.tables
        var present: [TableProfile] = []
        for table in chosen {
            let name = "\(SQLText.identifier(table.schema)).\(SQLText.identifier(table.name))"
            if try session.query("SELECT to_regclass($1) IS NOT NULL", [name]).scalar == "t" {
                present.append(table)
            } else {
                report[key(table.schema, table.name)] = SynthesizedTable(
                    rows: 0, profileRows: table.rows, scale: spec.scale, skipped: "the schema has no table \(table.qualifiedName)")
            }
        }
        let names = present.map { "\(SQLText.identifier($0.schema)).\(SQLText.identifier($0.name))" }
        let targets = try CatalogProfileReader.readTables(session, tables: names)
        let tables = try SynthesisCatalog.tables(session, targets: targets, profiled: present, scale: spec.scale, seed: spec.seed)

        var filled: [String: SynthesisPlan.Parent] = [:]
        var regenerated: [String: Int] = [:]
        var parentRows: [String: [String: Int]] = [:]
        for table in parentsFirst(tables) {
            var parents: [String: SynthesisPlan.Parent] = [:]
            for fk in table.foreignKeys {
                let parent = fk.references.qualifiedName
                if parent == table.qualifiedName {
                    parents[fk.name] = .init(table: table, rows: table.rows)
                } else if let done = filled[parent] {
                    parents[fk.name] = done
                } else {
                    let from = "\(SQLText.identifier(fk.references.schema)).\(SQLText.identifier(fk.references.table))"
                    let count = Int(try session.query("SELECT count(*) FROM \(from)").scalar ?? "0") ?? 0
                    parents[fk.name] = .init(table: nil, rows: count)
                }
            }
            let plan = SynthesisPlan(table: table, parents: parents)
            for fk in plan.foreignKeys { parentRows[table.qualifiedName, default: [:]][fk.columns[0]] = parents[fk.name]?.rows }
            let (inserted, extra) = try insert(plan, session: session, measurement: &measurement)
            regenerated[table.qualifiedName] = extra
            filled[table.qualifiedName] = .init(table: table, rows: table.rows, hasGaps: inserted < table.rows || extra > 0)
            try advanceSequences(plan, session: session)
        }
        if !tables.isEmpty {
            try session.execute("ANALYZE \(names.joined(separator: ", "))")
            let generated = try CatalogProfileReader.readTables(session, tables: names)
            for (index, table) in tables.enumerated() {
                let rows = Int(try session.query("SELECT count(*) FROM \(table.sqlName)").scalar ?? "0") ?? 0
                report[key(table.schema, table.name)] = SynthesizedTable(
                    rows: rows, profileRows: present[index].rows, scale: spec.scale, regenerated: regenerated[table.qualifiedName] ?? 0,
                    fidelity: SynthesisFidelity.compare(
                        profile: present[index], generated: generated[index], target: table,
                        parentRows: parentRows[table.qualifiedName] ?? [:]))
            }
        }
        measurement.synthesized = report
        return measurement
    }

    /// The first pass numbers rows 1 to `rows`; what it could not place is generated again
    /// (rows numbered past `rows`, with hashed ranks) until every row is in or a pass adds none.
    private static func insert(
        _ plan: SynthesisPlan, session: Session, measurement: inout StepMeasurement
    ) throws -> (inserted: Int, regenerated: Int) {
        let n = plan.table.rows
        guard n > 0, !plan.writtenColumns.isEmpty else { return (0, 0) }
        var inserted = try timed(plan.insert(first: 1, last: n), session: session, measurement: &measurement)
        var next = n + 1
        var passes = 0
        while inserted < n && plan.needsGuard && passes < maxExtraPasses {
            let want = n - inserted
            let added = try timed(plan.insert(first: next, last: next + want - 1), session: session, measurement: &measurement)
            next += want
            passes += 1
            inserted += added
            if added == 0 { break }
        }
        return (inserted, next - n - 1)
    }

    private static func timed(_ sql: String, session: Session, measurement: inout StepMeasurement) throws -> Int {
        Diagnostics.mark("synthesize: \(sql.prefix(300))…")
        let start = monotonicNanos()
        let rows = try session.execute(sql).reduce(0) { $0 + $1.affectedRows }
        measurement.record(batchNanos: monotonicNanos() - start, rows: rows)
        return rows
    }

    /// A serial or identity column written with explicit values: its sequence goes past them,
    /// so the next `INSERT` of a later step does not collide.
    private static func advanceSequences(_ plan: SynthesisPlan, session: Session) throws {
        for column in plan.writtenColumns where column.kind == .integer {
            let sequence = try session.query(
                "SELECT pg_get_serial_sequence($1, $2)", [plan.table.sqlName, column.name]
            ).scalar
            guard let sequence else { continue }
            try session.query(
                "SELECT setval($1::regclass, m) FROM (SELECT max(\(SQLText.identifier(column.name)))::bigint AS m FROM \(plan.table.sqlName)) s WHERE m IS NOT NULL",
                [sequence])
        }
    }

    /// Parents before children (a foreign key to the table itself is no order); tables in a cycle keep the profile's order.
    static func parentsFirst(_ tables: [SynthesisTable]) -> [SynthesisTable] {
        var left = tables
        var ordered: [SynthesisTable] = []
        while !left.isEmpty {
            let names = Set(left.map(\.qualifiedName))
            let ready = left.firstIndex { table in
                !table.foreignKeys.contains { $0.references.qualifiedName != table.qualifiedName && names.contains($0.references.qualifiedName) }
            }
            ordered.append(left.remove(at: ready ?? 0))
        }
        return ordered
    }

    /// Results name a table of `public` by its name, others as `schema.name`.
    static func key(_ schema: String, _ name: String) -> String { schema == "public" ? name : "\(schema).\(name)" }
}
