import Foundation
import RehearseScenario

/// The SQL that fills one table: `INSERT … SELECT … FROM generate_series`, every value
/// a function of the row's number and the step's seed, so the server generates the rows
/// (rehearse holds none of them) and the same seed gives the same rows.
///
/// Each column (and each foreign key) gets a rank from 0 to rows-1 (`RankLayout`): the
/// row number itself where the profile's correlation is high, a fixed permutation of it
/// where it is near 0, a mixture (each row takes the ordered rank with probability
/// |correlation|) between. The permutation is `rank * P + offset mod rows` with P a prime
/// that does not divide rows, so every rank is used once and the layout's counts come out
/// exact. Rows past `rows` (a second pass for rows a unique key or a check refused) take a
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
        let level1 = "SELECT g.i\(ranks.isEmpty ? "" : ", " + ranks.joined(separator: ", ")) FROM generate_series(\(first)::bigint, \(last)::bigint) AS g(i) OFFSET 0"
        let level2 = "SELECT q1.*\(parentRows.isEmpty ? "" : ", " + parentRows.joined(separator: ", ")) FROM (\(level1)) AS q1 OFFSET 0"
        var joins = ""
        var values: [String] = []
        for (i, column) in columns.enumerated() {
            let name = SQLText.identifier(column.name)
            if let k = fks.firstIndex(where: { $0.columns.contains(column.name) }) {
                let fk = fks[k]
                let position = fk.columns.firstIndex(of: column.name)!
                let parent = parents[fk.name]!
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
                        joins += " CROSS JOIN (SELECT array_agg(\(key) ORDER BY \(key)) AS a FROM \(from) WHERE \(key) IS NOT NULL) AS e\(k)"
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
                "(s.\(SQLText.identifier(fk.columns[0])) IS NULL OR EXISTS (SELECT 1 FROM \(parent) AS x WHERE \(match.joined(separator: " AND "))))")
        }
        if !filters.isEmpty {
            // Checks name the table's columns: the generated row carries them under those names.
            select = "SELECT \(columns.map { "s." + SQLText.identifier($0.name) }.joined(separator: ", ")) FROM (\(level3) OFFSET 0) AS s WHERE \(filters.joined(separator: " AND "))"
        }
        // Checks and missing parents are filtered above; only a key that may repeat needs the
        // (slower) speculative insertion.
        return "INSERT INTO \(table.sqlName) (\(names)) OVERRIDING SYSTEM VALUE \(select)\(needsConflictGuard ? " ON CONFLICT DO NOTHING" : "")"
    }

    // MARK: Ranks

    /// What decides a rank: its salt, the correlation it follows, whether it must be a permutation, its layout.
    struct Unit {
        var salt: UInt64
        var correlation: Double
        var bijective: Bool
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

    private func unit(_ column: SynthesisColumn) -> Unit {
        let layout = RankLayout(rows: table.rows, stats: column.stats, notNull: column.notNull, unique: column.unique)
        return Unit(
            salt: StableHash.of([String(table.salt), column.name]), correlation: column.stats?.correlation ?? 0,
            bijective: column.unique || Self.nearlyUnique(layout), layout: layout)
    }

    private func unit(_ fk: ForeignKeyProfile) -> Unit {
        let unique = fk.columns.count == 1 && (table.column(fk.columns[0])?.unique ?? false)
        let layout = RankLayout(
            rows: table.rows, stats: unitStats(fk), notNull: fkNotNull(fk), unique: unique, cap: parents[fk.name]?.rows)
        return Unit(
            salt: StableHash.of([String(table.salt), "fk", fk.name]), correlation: unitStats(fk)?.correlation ?? 0,
            bijective: unique || Self.nearlyUnique(layout), layout: layout)
    }

    /// Most values occur once: a mixture of two orders would repeat some ranks and lose
    /// distinct values, so the rank stays a permutation (ordered or not).
    static func nearlyUnique(_ layout: RankLayout) -> Bool { layout.rest > 0 && layout.distinct * 2 > layout.rest }

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
        } else if unit.bijective {
            // Still a permutation: the first rows in order, the others permuted among the ranks left.
            let k = Int((Self.orderedPrefix(strength) * Double(n)).rounded())
            let rest = max(1, n - k)
            var restPrime = prime
            if Int64(rest) % restPrime == 0 { restPrime = prime == Self.primes[0] ? Self.primes[1] : Self.primes[0] }
            let shuffled = "(\(k) + (((\(position) - \(k)) * \(restPrime) + \(offset % Int64(rest))) % \(rest)))"
            let ranked = "CASE WHEN \(position) < \(k) THEN \(position) ELSE \(shuffled) END"
            main = descending ? "(\(n - 1) - \(ranked))" : ranked
        } else {
            main = "CASE WHEN \(uniform(index, unit.salt &+ 1)) < \(strength) THEN \(sorted) ELSE \(permuted) END"
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
        let parentRows = parents[fk.name]!.rows
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

    // MARK: Values

    /// The value of `column` in the row numbered `index` (for a child's foreign key: the parent's key in that row).
    func value(of column: SynthesisColumn, index: String) -> String {
        value(of: column, rank: rank(index: index, unit: unit(column), rows: table.rows, topUp: false), rows: table.rows)
    }

    func value(of column: SynthesisColumn, rank r: String, rows n: Int) -> String {
        let layout = RankLayout(rows: n, stats: column.stats, notNull: column.notNull, unique: column.unique)
        var segments: [(Int, String)] = []
        if layout.nulls > 0 { segments.append((layout.nulls, "NULL")) }
        var bound = layout.nulls
        let literals = column.stats?.mostCommonVals
        for (k, count) in layout.mostCommon.enumerated() {
            bound += count
            let v = literals.flatMap { k < $0.count ? SQLText.literal($0[k]) : nil } ?? generic(column, "\(k)::bigint", count: layout.mostCommon.count + layout.distinct)
            segments.append((bound, "(\(v))::\(column.type)"))
        }
        let j = "((\(r) - \(layout.restStart)) * \(max(1, layout.distinct)) / \(max(1, layout.rest)))"
        // Every branch of the CASE in the column's type: a literal, a number and a text label would not match.
        let rest =
            layout.rest > 0 ? "(\(histogram(column, j, distinct: layout.distinct, skip: layout.mostCommon.count)))::\(column.type)" : "NULL"
        return "(\(Self.segmentCase(r, segments[...], otherwise: rest)))::\(column.type)"
    }

    /// `CASE` over consecutive rank segments (each value up to its exclusive upper bound, then
    /// `otherwise`), nested as a balanced tree: a hundred most common values cost about seven
    /// comparisons a row, not fifty.
    static func segmentCase(_ r: String, _ segments: ArraySlice<(Int, String)>, otherwise: String) -> String {
        guard !segments.isEmpty else { return otherwise }
        if segments.count <= 4 {
            let whens = segments.map { "WHEN \(r) < \($0.0) THEN \($0.1)" }.joined(separator: " ")
            return "CASE \(whens) ELSE \(otherwise) END"
        }
        let mid = segments.startIndex + segments.count / 2
        let left = segments[segments.startIndex..<mid]
        let pivot = left.last!.0
        // Below the pivot the rank is in one of the left segments: the last of them needs no test.
        let inLeft = segmentCase(r, left.dropLast(), otherwise: left.last!.1)
        return "CASE WHEN \(r) < \(pivot) THEN \(inLeft) ELSE \(segmentCase(r, segments[mid...], otherwise: otherwise)) END"
    }

    /// Whether a unique column's generated values differ by construction (else the insert skips conflicts).
    func distinctByConstruction(_ column: SynthesisColumn) -> Bool {
        switch column.kind {
        case .text: column.allowed == nil && (column.maxLength ?? Int.max) >= 20
        case .integer, .numeric:
            column.numericBounds == nil || column.kind == .integer
        case .uuid: true
        default: false
        }
    }

    /// The j-th of `distinct` values of the histogram's part (after `skip` most common values).
    private func histogram(_ column: SynthesisColumn, _ j: String, distinct: Int, skip: Int) -> String {
        let d = max(1, distinct)
        if column.orderedKind, let a = column.numericBounds, a.count >= 2, a.allSatisfy(\.isFinite) {
            let m = a.count - 1
            if column.kind == .integer && column.unique {
                let span = a[m] - a[0] + 1
                return span >= Double(d)
                    ? "(\(SQLText.number(a[0])) + floor((\(j))::numeric * \(SQLText.number(span)) / \(d)))"
                    : "(\(SQLText.number(a[0])) + \(j))"
            }
            if column.kind == .integer, let values = Self.integerValues(column, bounds: a, distinct: d) {
                return "('{\(values.map(String.init).joined(separator: ","))}'::bigint[])[(\(j)) + 1]"
            }
            let array = "('{\(a.map(SQLText.number).joined(separator: ","))}'::float8[])"
            let bucket = "((\(j)) * \(m) / \(d) + 1)"
            // An integer's values step by whole numbers from the bucket's lower bound and stay below its
            // upper one, so neighbouring buckets do not produce the same value.
            let fraction = "((((\(j)) * \(m)) % \(d))::float8\(column.kind == .integer ? "" : " + 0.5")) / \(d)"
            let x = "(\(array)[\(bucket)] + (\(array)[\(bucket) + 1] - \(array)[\(bucket)]) * \(fraction))"
            switch column.kind {
            case .integer: return "floor(\(x))"
            case .timestamptz: return "to_timestamp(\(x))"
            case .timestamp: return "(to_timestamp(\(x)) AT TIME ZONE 'UTC')"
            case .date: return "(DATE '1970-01-01' + floor(\(x))::int)"
            default: return x
            }
        }
        if column.kind == .text, column.allowed == nil, let bounds = column.stats?.histogramBounds, bounds.count >= 2 {
            let m = bounds.count - 1
            let digits = String(max(0, d - 1)).count
            let array = "(ARRAY[\(bounds.map(SQLText.literal).joined(separator: ", "))]::text[])"
            var prefix = "\(array)[(\(j)) * \(m) / \(d) + 1]"
            if let limit = column.maxLength { prefix = "left(\(prefix), \(max(0, limit - digits - 1)))" }
            return "(\(prefix) || ' ' || lpad((\(j))::text, \(digits), '0'))"
        }
        return generic(column, "(\(skip) + \(j))", count: skip + d)
    }

    /// An integer column of a narrow range whose most common values are known: the histogram's
    /// `distinct` values listed (at most 10,000), each the first integer at or after its place in
    /// the histogram that is neither a most common value nor taken, so none repeats another.
    static func integerValues(_ column: SynthesisColumn, bounds a: [Double], distinct d: Int) -> [Int64]? {
        guard let literals = column.stats?.mostCommonVals, !literals.isEmpty, d <= 10_000,
            let first = a.first, let last = a.last, last - first < 100_000
        else { return nil }
        let taken = Set(literals.compactMap { Int64($0) })
        let low = Int64(first.rounded(.down))
        // Past the histogram's top only when its range is too narrow for the values asked, never past the type's or a check's.
        let high = column.high.map { Int64(min($0, 9e18).rounded(.down)) } ?? Int64(last.rounded(.down)) + Int64(d)
        let m = a.count - 1
        var values: [Int64] = []
        var next = low
        for j in 0..<d {
            let bucket = j * m / d
            let x = a[bucket] + (a[bucket + 1] - a[bucket]) * Double((j * m) % d) / Double(d)
            var v = max(next, Int64(x.rounded(.down)))
            while taken.contains(v) { v += 1 }
            if v > high { return nil }
            values.append(v)
            next = v + 1
        }
        return values
    }

    /// Values from the type alone, the j-th of `count` distinct ones, in order of j.
    private func generic(_ column: SynthesisColumn, _ j: String, count: Int) -> String {
        let digits = String(max(0, count - 1)).count
        switch column.kind {
        case .integer, .numeric:
            let low = (column.low ?? 1).rounded(.up)
            if let high = column.high, high >= low {
                let span = (high - low + 1).rounded(.down)
                return "(\(SQLText.number(low)) + ((\(j)) % \(SQLText.number(span))))"
            }
            return "(\(SQLText.number(low)) + \(j))"
        case .text:
            if let allowed = column.allowed, !allowed.isEmpty {
                return "(ARRAY[\(allowed.map(SQLText.literal).joined(separator: ", "))]::text[])[((\(j)) % \(allowed.count)) + 1]"
            }
            let width = max(digits, (column.stats?.avgWidth ?? 8) - 1)
            let text = "rpad(lpad((\(j))::text, \(digits), '0'), \(width), 'x')"
            return column.maxLength.map { "left(\(text), \($0))" } ?? text
        case .timestamptz, .timestamp, .date:
            // Minutes (days for a date) from the lower bound a check or a partition gives, else from 2000-01-01.
            let step = column.kind == .date ? 1.0 : 60
            let low = column.low ?? (column.kind == .date ? 10957 : 946_684_800)
            var offset = "(\(j))"
            if let high = column.high, high > low {
                let span = max(1, ((high - low) / step).rounded(.down) + (column.highExclusive && (high - low) / step == ((high - low) / step).rounded() ? 0 : 1))
                offset = "((\(j)) % \(SQLText.number(span)))"
            } else if column.kind == .date {
                offset = "((\(j)) % 2000000)"
            }
            switch column.kind {
            case .date: return "(DATE '1970-01-01' + (\(SQLText.number(low)) + \(offset))::int)"
            case .timestamp: return "(to_timestamp(\(SQLText.number(low)) + \(offset) * 60) AT TIME ZONE 'UTC')"
            default: return "to_timestamp(\(SQLText.number(low)) + \(offset) * 60)"
            }
        case .boolean: return "((\(j)) % 2 = 1)"
        case .enum:
            let labels = column.enumLabels ?? []
            guard !labels.isEmpty else { return "NULL" }
            return "(ARRAY[\(labels.map(SQLText.literal).joined(separator: ", "))]::text[])[((\(j)) % \(labels.count)) + 1]"
        case .uuid: return "md5('\(table.salt):\(column.name.replacingOccurrences(of: "'", with: "''")):' || (\(j))::text)::uuid"
        case .json, .jsonb:
            let width = max(1, (column.stats?.avgWidth ?? 16) - 10)
            return "json_build_object('v', rpad((\(j))::text, \(width), 'x'))"
        case .other: return "NULL"
        }
    }
}
