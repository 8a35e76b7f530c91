import RehearseScenario

/// One column of a table a `synthesize` step fills: what the target's catalog says
/// of it and what the profile's statistics ask of it. Pure values; `SynthesisPlan`
/// turns them into SQL.
struct SynthesisColumn: Sendable {
    var name: String
    /// The target's `format_type` (a domain's own name: casting to it checks it).
    var type: String
    var kind: ColumnKind
    var notNull: Bool
    var enumLabels: [String]?
    /// A generated column (`GENERATED ALWAYS AS …`): never written.
    var generated = false
    /// A default, a serial or an identity: left to the table when the profile does not know the column.
    var hasDefault = false
    /// `varchar(n)`, `char(n)` or a `length(col) <= n` check.
    var maxLength: Int?
    /// From checks (`col >= 0`, a domain's `VALUE <= 2155`), numeric types, the integer type's range.
    var low: Double?
    var high: Double?
    /// A `<` bound (a partition's upper bound): values stay below `high`.
    var highExclusive = false
    /// An `IN` list (`col = ANY (ARRAY[…])`) of a check: the only values allowed.
    var allowed: [String]?
    /// From the profile; nil when the profile does not know the column.
    var stats: ColumnStats?
    /// The histogram's bounds as numbers (epoch seconds, days), for the ordered kinds.
    var numericBounds: [Double]?
    /// The only column of a primary key or unique constraint: its values must all differ.
    var unique = false

    /// Whether rehearse writes it (the others get their default, or NULL, or what a trigger sets).
    /// A column the profile does not know gets its default, or NULL where allowed; only a
    /// `NOT NULL` one without a default is generated from its type.
    var written: Bool {
        !generated && kind != .other && (stats != nil || (notNull && !hasDefault))
    }

    /// Whether the histogram's bounds are used as values (text) or numbers (ordered kinds).
    var orderedKind: Bool { [.integer, .numeric, .timestamp, .timestamptz, .date].contains(kind) }
}

/// The rows of one column laid out on a rank from 0 to rows-1: first the NULLs, then
/// each most common value with its count, then the rest spread over the distinct
/// values of the histogram. A rank that walks the rows in order (correlation 1) or
/// in a fixed permutation (0) then gives exactly the null fraction, the frequencies
/// and the distinct count asked for.
struct RankLayout: Sendable, Equatable {
    var rows: Int
    var nulls: Int
    var mostCommon: [Int]
    /// Distinct values of the part after the most common ones.
    var distinct: Int

    var restStart: Int { nulls + mostCommon.reduce(0, +) }
    var rest: Int { rows - restStart }

    init(rows: Int, stats: ColumnStats?, notNull: Bool, unique: Bool, cap: Int? = nil) {
        self.rows = rows
        guard let stats, rows > 0 else {
            (nulls, mostCommon) = (0, [])
            distinct = min(rows, cap ?? rows)
            return
        }
        nulls = notNull ? 0 : min(rows, Int((stats.nullFrac * Double(rows)).rounded()))
        var left = rows - nulls
        var counts: [Int] = []
        if !unique {
            for f in stats.mostCommonFreqs ?? [] {
                let n = min(left, Int((f * Double(rows)).rounded()))
                if n == 0 { break }
                counts.append(n)
                left -= n
            }
        }
        let nonNull = rows - nulls
        var total = unique ? nonNull : Int(stats.distinctCount(rows: Double(rows)).rounded())
        if stats.nDistinct > 0 && !unique { total = Int(min(stats.nDistinct, Double(nonNull)).rounded()) }
        if let cap, cap < total {
            // Fewer parents than the profile's referenced ones: each parent stands for total/cap of
            // them, so the most referenced merge in groups and the fan-out keeps its shape.
            counts = Self.merge(counts, factor: Double(cap) / Double(max(1, total)))
            total = cap
        }
        mostCommon = counts
        distinct = left == 0 ? 0 : max(1, min(left, total - counts.count))
    }

    /// Consecutive counts summed in groups of 1/factor (the k-th count goes to group k·factor).
    static func merge(_ counts: [Int], factor: Double) -> [Int] {
        var merged: [Int] = []
        for (k, count) in counts.enumerated() {
            let group = Int(Double(k) * factor)
            if group < merged.count { merged[group] += count } else { merged.append(count) }
        }
        return merged
    }
}
