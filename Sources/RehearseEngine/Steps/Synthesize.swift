import Foundation
import PostgresClient
import RehearseResults
import RehearseScenario
import RehearseSupport

/// The `synthesize` step: fills tables earlier steps created with rows shaped like the
/// profile at `scale`, each table with set-based SQL the server runs (`SynthesisPlan`),
/// tables in parallel where foreign keys allow (a table starts once its parents are
/// filled), then reports each table's fidelity: the profile's statistics next to the
/// ones `ANALYZE` finds on what was generated.
enum Synthesize {
    /// Passes after the first for rows a unique key, a check or a missing parent refused.
    static let maxExtraPasses = 20

    /// What the catalog said, read once on the step's first session.
    struct Prepared: Sendable {
        var tables: [SynthesisTable]
        /// The profile's table of each (same order).
        var profiled: [TableProfile]
        /// Rows of the parents this step does not fill, by `schema.table`.
        var existingRows: [String: Int]
        var report: [String: SynthesizedTable]
    }

    /// One table done: its rows, the passes it took, each statement's time.
    struct Filled: Sendable {
        var table: String
        var inserted: Int
        var regenerated: Int
        var statementNanos: [(UInt64, Int)]
    }

    /// Sessions at once: the local cores, at most 4, never more than there are tables, unless
    /// one table is large enough for its rows to be split over sessions.
    static func streams(_ tables: [SynthesisTable]) -> Int {
        let cores = min(4, ProcessInfo.processInfo.activeProcessorCount)
        let largest = tables.map(\.rows).max() ?? 0
        return max(1, min(largest >= 2 * slicesPerSession * minimumSliceRows ? cores : tables.count, cores))
    }

    static let sessionSettings =
        // Histogram bounds were written in UTC and ISO (rehearse profile does so); read them back alike.
        // Literals from the profile are quoted by doubling quotes, which standard strings make the whole story.
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET standard_conforming_strings = on"

    static func run(_ spec: SynthesizeSpec, context: StepContext) async -> StepMeasurement {
        guard let profile = spec.profile else {
            var m = StepMeasurement()
            m.fail(message: "no profile loaded from \(spec.profileFile.path)")
            return m
        }
        return await context.withConnection { main in
            var measurement = StepMeasurement()
            var extra: [Connection] = []
            do {
                let prepared = try await main.cancellable { session in
                    try session.execute(sessionSettings)
                    return try prepare(spec, profile: profile, session: session)
                }
                for _ in 1..<streams(prepared.tables) {
                    let connection = try await context.connect()
                    extra.append(connection)
                    _ = try await connection.execute(sessionSettings)
                }
                let filled = try await fill(prepared, sessions: [main] + extra)
                for connection in extra { await context.release(connection) }
                extra = []
                for done in filled.values {
                    for (nanos, rows) in done.statementNanos { measurement.record(batchNanos: nanos, rows: rows) }
                }
                measurement.synthesized = try await main.cancellable { session in
                    try report(prepared, filled: filled, spec: spec, session: session)
                }
            } catch {
                for connection in extra { await context.release(connection) }
                measurement.fail(asPostgres(error))
            }
            return measurement
        }
    }

    /// Which profiled tables the schema has, their catalog joined with the profile, and the rows of parents left as they are.
    static func prepare(_ spec: SynthesizeSpec, profile: Profile, session: Session) throws -> Prepared {
        var report: [String: SynthesizedTable] = [:]
        let chosen = spec.tables.map { $0.compactMap { profile.table(named: $0) } } ?? profile.tables
        var present: [TableProfile] = []
        for table in chosen {
            if try session.query("SELECT to_regclass($1) IS NOT NULL", [sqlName(table.schema, table.name)]).scalar == "t" {
                present.append(table)
            } else {
                report[key(table.schema, table.name)] = SynthesizedTable(
                    rows: 0, profileRows: table.rows, scale: spec.scale, skipped: "the schema has no table \(table.qualifiedName)")
            }
        }
        let targets = try CatalogProfileReader.readTables(session, tables: present.map { sqlName($0.schema, $0.name) })
        let tables = try SynthesisCatalog.tables(session, targets: targets, profiled: present, scale: spec.scale, seed: spec.seed)
        let filling = Set(tables.map(\.qualifiedName))
        var existing: [String: Int] = [:]
        for fk in tables.flatMap(\.foreignKeys) where !filling.contains(fk.references.qualifiedName) {
            guard existing[fk.references.qualifiedName] == nil else { continue }
            let count = try session.query("SELECT count(*) FROM \(sqlName(fk.references.schema, fk.references.table))").scalar
            existing[fk.references.qualifiedName] = Int(count ?? "0") ?? 0
        }
        return Prepared(tables: tables, profiled: present, existingRows: existing, report: report)
    }

    /// Every table on the first free session whose parents are done; a cycle of tables
    /// that wait on each other starts with the first of them, as the profile lists it.
    static func fill(_ prepared: Prepared, sessions: [Connection]) async throws -> [String: Filled] {
        var pending = parentsFirst(prepared.tables)
        var filled: [String: Filled] = [:]
        var parentsDone: [String: SynthesisPlan.Parent] = [:]
        var idle = sessions
        var running = Set<String>()
        let names = Set(prepared.tables.map(\.qualifiedName))
        try await withThrowingTaskGroup(of: (Filled, [Connection]).self) { group in
            while !pending.isEmpty || !running.isEmpty {
                while !idle.isEmpty, let index = nextReady(pending, names: names, done: parentsDone, idle: running.isEmpty) {
                    let table = pending.remove(at: index)
                    let plan = SynthesisPlan(table: table, parents: parents(of: table, done: parentsDone, existing: prepared.existingRows))
                    // A large table that nothing else could run beside takes every idle session.
                    let alone = nextReady(pending, names: names, done: parentsDone, idle: false) == nil
                    let taken = alone && slices(plan, sessions: idle.count) > 1 ? idle : [idle.removeLast()]
                    if taken.count > 1 { idle = [] }
                    running.insert(table.qualifiedName)
                    group.addTask { (try await insert(plan, connections: taken), taken) }
                }
                guard let (done, connections) = try await group.next() else { break }
                idle += connections
                running.remove(done.table)
                filled[done.table] = done
                if let table = prepared.tables.first(where: { $0.qualifiedName == done.table }) {
                    parentsDone[done.table] = .init(
                        table: table, rows: table.rows, hasGaps: done.inserted < table.rows || done.regenerated > 0)
                }
            }
        }
        return filled
    }

    /// The first pending table whose parents (other than itself) are all filled or not filled by this step;
    /// with nothing running, the first pending one anyway (a cycle).
    private static func nextReady(
        _ pending: [SynthesisTable], names: Set<String>, done: [String: SynthesisPlan.Parent], idle: Bool
    ) -> Int? {
        let ready = pending.firstIndex { table in
            table.foreignKeys.allSatisfy { fk in
                let parent = fk.references.qualifiedName
                return parent == table.qualifiedName || !names.contains(parent) || done[parent] != nil
            }
        }
        return ready ?? (idle && !pending.isEmpty ? 0 : nil)
    }

    private static func parents(
        of table: SynthesisTable, done: [String: SynthesisPlan.Parent], existing: [String: Int]
    ) -> [String: SynthesisPlan.Parent] {
        var parents: [String: SynthesisPlan.Parent] = [:]
        for fk in table.foreignKeys {
            let parent = fk.references.qualifiedName
            if parent == table.qualifiedName {
                parents[fk.name] = .init(table: table, rows: table.rows)
            } else if let filled = done[parent] {
                parents[fk.name] = filled
            } else {
                // Not filled by this step (or not yet, in a cycle): its rows as they are.
                parents[fk.name] = .init(table: nil, rows: existing[parent] ?? 0)
            }
        }
        return parents
    }

    /// The first pass numbers rows 1 to `rows`; what it could not place is generated again
    /// (rows numbered past `rows`, with hashed ranks) until every row is in or a pass adds none.
    /// Serial and identity sequences then go past the values written.
    static func insert(_ plan: SynthesisPlan, session: Session) throws -> Filled {
        try insert(plan, session: session, firstPass: nil)
    }

    /// Rows per statement when a table's first pass is split over sessions: enough that each
    /// statement's fixed cost (its plan, a parent's keys read once) stays small.
    static let minimumSliceRows = 2_000
    /// Slices per session: the sessions work on neighbouring slices, so the more slices, the
    /// nearer the rows land to one statement's order (with 16, a row is at most 1/16/sessions
    /// of the table away from where one statement would have put it).
    static let slicesPerSession = 16

    /// How many statements a table's first pass is split into on `sessions` sessions: one
    /// unless there are several sessions, the table has `slicesPerSession` slices of at least
    /// `minimumSliceRows` rows for each of them, and no key can repeat (a repeated
    /// key would make `ON CONFLICT` sessions wait on each other, and could deadlock them).
    static func slices(_ plan: SynthesisPlan, sessions: Int) -> Int {
        let count = sessions * slicesPerSession
        guard sessions > 1, !plan.needsConflictGuard, !plan.writtenColumns.isEmpty, plan.table.rows >= count * minimumSliceRows
        else { return 1 }
        return count
    }

    /// The table on one session, or with its first pass split into row slices that the
    /// sessions take in order (so the rows land about in the order one statement would put
    /// them, and a correlated column keeps its correlation), then the passes after it on the first.
    static func insert(_ plan: SynthesisPlan, connections: [Connection]) async throws -> Filled {
        let count = slices(plan, sessions: connections.count)
        guard count > 1, let first = connections.first else {
            return try await connections[0].cancellable { session in try insert(plan, session: session) }
        }
        let n = plan.table.rows
        let next = Locked(0)
        let parts = try await withThrowingTaskGroup(of: [(UInt64, Int)].self) { group in
            for connection in connections {
                group.addTask {
                    // A cancel that falls between two slices would be lost: it goes again every
                    // 50 ms until the session's loop ends (the next slice's statement meets it).
                    try await connection.cancellable(repeating: true) { session in
                        var timings: [(UInt64, Int)] = []
                        while true {
                            let slice = next.withLock { value -> Int in
                                defer { value += 1 }
                                return value
                            }
                            guard slice < count else { return timings }
                            let sql = plan.insert(first: slice * n / count + 1, last: (slice + 1) * n / count)
                            Diagnostics.mark("synthesize, slice \(slice + 1) of \(count): \(sql.prefix(200))…")
                            let start = monotonicNanos()
                            let rows = try session.execute(sql).reduce(0) { $0 + $1.affectedRows }
                            timings.append((monotonicNanos() - start, rows))
                        }
                    }
                }
            }
            var all: [(UInt64, Int)] = []
            for try await timings in group { all += timings }
            return all
        }
        return try await first.cancellable { session in try insert(plan, session: session, firstPass: parts) }
    }

    /// `firstPass`: the statements of a first pass already run (split over sessions).
    private static func insert(_ plan: SynthesisPlan, session: Session, firstPass: [(UInt64, Int)]?) throws -> Filled {
        var done = Filled(table: plan.table.qualifiedName, inserted: 0, regenerated: 0, statementNanos: [])
        let n = plan.table.rows
        guard n > 0, !plan.writtenColumns.isEmpty else { return done }
        func timed(_ sql: String) throws -> Int {
            Diagnostics.mark("synthesize: \(sql.prefix(300))…")
            let start = monotonicNanos()
            let rows = try session.execute(sql).reduce(0) { $0 + $1.affectedRows }
            done.statementNanos.append((monotonicNanos() - start, rows))
            return rows
        }
        if let firstPass {
            done.statementNanos = firstPass
            done.inserted = firstPass.reduce(0) { $0 + $1.1 }
        } else {
            done.inserted = try timed(plan.insert(first: 1, last: n))
        }
        var next = n + 1
        var passes = 0
        while done.inserted < n && plan.needsGuard && passes < maxExtraPasses {
            let want = n - done.inserted
            let added = try timed(plan.insert(first: next, last: next + want - 1))
            next += want
            passes += 1
            done.inserted += added
            if added == 0 { break }
        }
        done.regenerated = next - n - 1
        try advanceSequences(plan, session: session)
        return done
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

    /// `ANALYZE` on what was generated, and each table's fidelity.
    static func report(
        _ prepared: Prepared, filled: [String: Filled], spec: SynthesizeSpec, session: Session
    ) throws -> [String: SynthesizedTable] {
        var report = prepared.report
        let tables = prepared.tables
        guard !tables.isEmpty else { return report }
        let names = tables.map(\.sqlName)
        try session.execute("ANALYZE \(names.joined(separator: ", "))")
        let generated = try CatalogProfileReader.readTables(session, tables: names)
        for (index, table) in tables.enumerated() {
            var parentRows: [String: Int] = [:]
            for fk in table.foreignKeys {
                let parent = fk.references.qualifiedName
                parentRows[fk.columns[0]] =
                    tables.first { $0.qualifiedName == parent }?.rows ?? prepared.existingRows[parent] ?? 0
            }
            let rows = Int(try session.query("SELECT count(*) FROM \(table.sqlName)").scalar ?? "0") ?? 0
            report[key(table.schema, table.name)] = SynthesizedTable(
                rows: rows, profileRows: prepared.profiled[index].rows, scale: spec.scale,
                regenerated: filled[table.qualifiedName]?.regenerated ?? 0,
                fidelity: SynthesisFidelity.compare(
                    profile: prepared.profiled[index], generated: generated[index], target: table, parentRows: parentRows))
        }
        return report
    }

    /// Parents before children (a foreign key to the table itself is no order); tables in a cycle keep the profile's order.
    static func parentsFirst(_ tables: [SynthesisTable]) -> [SynthesisTable] {
        var left = tables
        var ordered: [SynthesisTable] = []
        while !left.isEmpty {
            let names = Set(left.map(\.qualifiedName))
            let ready = left.firstIndex { table in
                !table.foreignKeys.contains {
                    $0.references.qualifiedName != table.qualifiedName && names.contains($0.references.qualifiedName)
                }
            }
            ordered.append(left.remove(at: ready ?? 0))
        }
        return ordered
    }

    static func sqlName(_ schema: String, _ name: String) -> String { "\(SQLText.identifier(schema)).\(SQLText.identifier(name))" }

    /// Results name a table of `public` by its name, others as `schema.name`.
    static func key(_ schema: String, _ name: String) -> String { schema == "public" ? name : "\(schema).\(name)" }
}
