import Foundation
import RehearseScenario

/// The SQL that fills one table: `INSERT … SELECT … FROM generate_series`, every value
/// a function of the row's number and the step's seed, so the server generates the rows
/// (rehearse holds none of them) and the same seed gives the same rows.
///
/// Each column (and each foreign key) gets a rank from 0 to rows-1 (`RankLayout`): the
/// row number itself where the profile's correlation is high, a fixed permutation of it
/// where it is near 0, between them the first rows in order and the others permuted among
/// the ranks left. The permutation is `rank * P + offset mod rows` with P a prime that does
/// not divide rows, so every rank is used once and the layout's counts come out exact. Rows past `rows` (a second pass for rows a unique key or a check refused) take a
/// hashed rank instead.
struct SynthesisPlan: Sendable {
    let table: SynthesisTable
    /// The table of each foreign key's parent, by constraint name.
    let parents: [String: Parent]

    struct Parent: Sendable {
        /// Nil: a table this step does not fill; its rows are read as they are (one column keys only).
        var table: SynthesisTable?
        var rows: Int
        /// Some of the parent's numbered rows are missing (refused by a key or a check): children check that theirs exist.
        var hasGaps = false
    }

    private static let primes: [Int64] = [
        999_999_937, 999_999_929, 999_999_893, 999_999_883, 999_999_797, 999_999_761, 999_999_757, 999_999_751,
        999_999_739, 999_999_733, 999_999_677, 999_999_667, 999_999_613, 999_999_607, 999_999_599, 999_999_587,
    ]

    /// A foreign key's columns take their parent's values from one parent row.
    private var foreignKeyOf: [String: (fk: ForeignKeyProfile, position: Int)] {
        var map: [String: (ForeignKeyProfile, Int)] = [:]
        for fk in table.foreignKeys where parents[fk.name] != nil {
            for (i, column) in fk.columns.enumerated() where map[column] == nil { map[column] = (fk, i) }
        }
        return map
    }

    /// The foreign keys this plan generates (parent known, and a one-column key when the parent is not synthesized).
    var foreignKeys: [ForeignKeyProfile] {
        table.foreignKeys.filter { fk in
            guard let parent = parents[fk.name] else { return false }
            return (parent.table != nil || fk.columns.count == 1) && parent.rows > 0
        }
    }

    var writtenColumns: [SynthesisColumn] {
        let fkColumns = Set(foreignKeys.flatMap(\.columns))
        return table.columns.filter { $0.written || (fkColumns.contains($0.name) && !$0.generated && ($0.stats != nil || $0.notNull)) }
    }

    /// Whether a second pass may be needed: a key whose values are not distinct by construction, a
    /// check, or a parent with gaps. Then the insert skips what conflicts and counts it.
    var needsGuard: Bool { needsConflictGuard || !table.checks.isEmpty || foreignKeys.contains { parents[$0.name]?.hasGaps == true } }

    var needsConflictGuard: Bool {
        table.keys.contains { key in
            guard key.count == 1, let column = table.column(key[0]) else { return true }
            if foreignKeyOf[column.name] != nil { return !column.unique }
            return !distinctByConstruction(column)
        }
    }

    // MARK: The statement

    /// Rows numbered `first` to `last` (1-based; past `table.rows` for a second pass).
    func insert(first: Int, last: Int) -> String {
        let columns = writtenColumns
        let fks = foreignKeys
        let n = table.rows
        var ranks: [String] = []
        for (i, column) in columns.enumerated() where !fks.contains(where: { $0.columns.contains(column.name) }) {
            ranks.append("\(rank(index: "g.i", unit: unit(column), rows: n, topUp: true)) AS r\(i)")
        }
        var parentRows: [String] = []
        for (k, fk) in fks.enumerated() {
            ranks.append("\(rank(index: "g.i", unit: unit(fk), rows: n, topUp: true)) AS f\(k)")
            parentRows.append("\(parentRow(rank: "q1.f\(k)", fk: fk)) AS p\(k)")
        }
        let level1 =
            "SELECT g.i\(ranks.isEmpty ? "" : ", " + ranks.joined(separator: ", ")) FROM generate_series(\(first)::bigint, \(last)::bigint) AS g(i) OFFSET 0"
        let level2 = "SELECT q1.*\(parentRows.isEmpty ? "" : ", " + parentRows.joined(separator: ", ")) FROM (\(level1)) AS q1 OFFSET 0"
        var joins = ""
        var values: [String] = []
        for (i, column) in columns.enumerated() {
            let name = SQLText.identifier(column.name)
            if let k = fks.firstIndex(where: { $0.columns.contains(column.name) }) {
                let fk = fks[k]
                // The key was found by this column, and every key of the table has a planned parent.
                guard let position = fk.columns.firstIndex(of: column.name), let parent = parents[fk.name] else {
                    preconditionFailure("foreign key \(fk.name) of column \(column.name) has no planned parent")
                }
                let nulls = RankLayout(rows: n, stats: unitStats(fk), notNull: fkNotNull(fk), unique: false).nulls
                let parentValue: String
                if let parentTable = parent.table, let parentColumn = parentTable.column(fk.references.columns[position]) {
                    let plan = SynthesisPlan(table: parentTable, parents: [:])
                    parentValue = plan.value(of: parentColumn, index: "q2.p\(k)")
                } else {
                    parentValue = "e\(k).a[q2.p\(k)]"
                    if !joins.contains("AS e\(k)") {
                        let key = SQLText.identifier(fk.references.columns[0])
                        let from = "\(SQLText.identifier(fk.references.schema)).\(SQLText.identifier(fk.references.table))"
                        joins +=
                            " CROSS JOIN (SELECT array_agg(\(key) ORDER BY \(key)) AS a FROM \(from) WHERE \(key) IS NOT NULL) AS e\(k)"
                    }
                }
                let guarded = nulls > 0 ? "CASE WHEN q2.f\(k) < \(nulls) THEN NULL ELSE \(parentValue) END" : parentValue
                values.append("(\(guarded))::\(column.type) AS \(name)")
            } else {
                values.append("\(value(of: column, rank: "q2.r\(i)", rows: n)) AS \(name)")
            }
        }
        let level3 = "SELECT \(values.joined(separator: ", ")) FROM (\(level2)) AS q2\(joins)"
        let names = columns.map { SQLText.identifier($0.name) }.joined(separator: ", ")
        var select = level3
        var filters = table.checks.map { "(\($0)) IS NOT FALSE" }
        for fk in fks where parents[fk.name]?.hasGaps == true {
            let parent = "\(SQLText.identifier(fk.references.schema)).\(SQLText.identifier(fk.references.table))"
            let match = zip(fk.columns, fk.references.columns).map { "x.\(SQLText.identifier($1)) = s.\(SQLText.identifier($0))" }
            filters.append(
                "(s.\(SQLText.identifier(fk.columns[0])) IS NULL OR EXISTS (SELECT 1 FROM \(parent) AS x WHERE \(match.joined(separator: " AND "))))"
            )
        }
        if !filters.isEmpty {
            // Checks name the table's columns: the generated row carries them under those names.
            select =
                "SELECT \(columns.map { "s." + SQLText.identifier($0.name) }.joined(separator: ", ")) FROM (\(level3) OFFSET 0) AS s WHERE \(filters.joined(separator: " AND "))"
        }
        // Checks and missing parents are filtered above; only a key that may repeat needs the
        // (slower) speculative insertion.
        return
            "INSERT INTO \(table.sqlName) (\(names)) OVERRIDING SYSTEM VALUE \(select)\(needsConflictGuard ? " ON CONFLICT DO NOTHING" : "")"
    }

    // MARK: Ranks

    /// What decides a rank: its salt, the correlation it follows, whether it must be a permutation, its layout.
    struct Unit {
        var salt: UInt64
        var correlation: Double
        var layout: RankLayout

        /// PostgreSQL breaks ties between equal values by their position, so a column of few
        /// values shows a correlation even in random order: about the sum of its values'
        /// squared shares (0.5 for two halves). The ordered share of the rows is what brings
        /// the profile's correlation on top of that floor.
        var floor: Double {
            let nonNull = Double(max(1, layout.rows - layout.nulls))
            let each = layout.distinct > 0 ? Double(layout.rest) / Double(layout.distinct) / nonNull : 0
            return layout.mostCommon.reduce(0) { $0 + pow(Double($1) / nonNull, 2) } + Double(layout.distinct) * each * each
        }

        /// Ascending or descending order, and the share of rows that follow it.
        var order: (descending: Bool, share: Double) {
            let c0 = min(floor, 0.999)
            if correlation >= c0 { return (false, min(1, (correlation - c0) / (1 - c0))) }
            return (true, min(1, c0 - correlation))
        }
    }

    func unit(_ column: SynthesisColumn) -> Unit {
        let layout = RankLayout(rows: table.rows, stats: column.stats, notNull: column.notNull, unique: column.unique)
        return Unit(
            salt: StableHash.of([String(table.salt), column.name]), correlation: column.stats?.correlation ?? 0,
            layout: layout)
    }

    private func unit(_ fk: ForeignKeyProfile) -> Unit {
        let unique = fk.columns.count == 1 && (table.column(fk.columns[0])?.unique ?? false)
        let layout = RankLayout(
            rows: table.rows, stats: unitStats(fk), notNull: fkNotNull(fk), unique: unique, cap: parents[fk.name]?.rows)
        return Unit(
            salt: StableHash.of([String(table.salt), "fk", fk.name]), correlation: unitStats(fk)?.correlation ?? 0,
            layout: layout)
    }

    private func unitStats(_ fk: ForeignKeyProfile) -> ColumnStats? { table.column(fk.columns[0])?.stats }
    private func fkNotNull(_ fk: ForeignKeyProfile) -> Bool { fk.columns.contains { table.column($0)?.notNull ?? false } }

    /// Uniform in [0, 1) from the row number and a salt (`hashint8extended` is the same on every platform: hash partitioning relies on it).
    private func uniform(_ index: String, _ salt: UInt64) -> String {
        "(hashint8extended(\(index), \(Int64(bitPattern: salt)))::float8 / 18446744073709551616.0 + 0.5)"
    }

    func rank(index: String, unit: Unit, rows n: Int, topUp: Bool) -> String {
        guard n > 0 else { return "0::bigint" }
        let position = "((\(index) - 1) % \(n))"
        let (descending, strength) = unit.order
        let sorted = descending ? "(\(n - 1) - \(position))" : position
        var prime = Self.primes[Int(unit.salt % UInt64(Self.primes.count))]
        if Int64(n) % prime == 0 { prime = prime == Self.primes[0] ? Self.primes[1] : Self.primes[0] }
        let offset = Int64((unit.salt >> 20) % UInt64(n))
        let permuted = "((\(position) * \(prime) + \(offset)) % \(n))"
        let main: String
        if strength >= 0.999 {
            main = sorted
        } else if strength < 0.001 {
            main = permuted
        } else {
            // Still a permutation, so the layout's counts stay exact: the first rows in order,
            // the others permuted among the ranks left.
            let k = Int((Self.orderedPrefix(strength) * Double(n)).rounded())
            let rest = max(1, n - k)
            var restPrime = prime
            if Int64(rest) % restPrime == 0 { restPrime = prime == Self.primes[0] ? Self.primes[1] : Self.primes[0] }
            let shuffled = "(\(k) + (((\(position) - \(k)) * \(restPrime) + \(offset % Int64(rest))) % \(rest)))"
            let ranked = "CASE WHEN \(position) < \(k) THEN \(position) ELSE \(shuffled) END"
            main = descending ? "(\(n - 1) - \(ranked))" : ranked
        }
        guard topUp else { return main }
        let hashed = "least(\(n - 1), floor(\(uniform(index, unit.salt &+ 2)) * \(n))::bigint)"
        return "CASE WHEN \(index) <= \(n) THEN \(main) ELSE \(hashed) END"
    }

    /// The share of rows to keep in order, the rest permuted among the ranks after them, for a
    /// correlation of `target`: with the first share π in order, corr(π) = 4π³ + 3(1+π)(1-π²) - 3.
    static func orderedPrefix(_ target: Double) -> Double {
        var (low, high) = (0.0, 1.0)
        for _ in 0..<40 {
            let mid = (low + high) / 2
            let corr = 4 * mid * mid * mid + 3 * (1 + mid) * (1 - mid * mid) - 3
            if corr < target { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// The parent row (1-based) a foreign key's rank points at: the most common first, the rest spread evenly.
    private func parentRow(rank r: String, fk: ForeignKeyProfile) -> String {
        guard let parentRows = parents[fk.name]?.rows else { preconditionFailure("foreign key \(fk.name) has no planned parent") }
        let layout = unit(fk).layout
        let total = max(1, min(parentRows, layout.mostCommon.count + layout.distinct))
        var segments: [(Int, String)] = []
        var bound = layout.nulls
        if layout.nulls > 0 { segments.append((layout.nulls, "0")) }
        for (k, count) in layout.mostCommon.enumerated() {
            bound += count
            segments.append((bound, "\(min(k, total - 1))"))
        }
        let rest =
            layout.rest > 0
            ? "\(layout.mostCommon.count) + ((\(r) - \(layout.restStart)) * \(max(1, layout.distinct)) / \(layout.rest))" : "0"
        let t = Self.segmentCase(r, segments[...], otherwise: rest)
        return "(least(\(total - 1), \(t)) * \(parentRows) / \(total) + 1)"
    }
}
