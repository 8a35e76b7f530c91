import Foundation
import RehearseScenario

/// Values: what a rank becomes in each column (see `SynthesisPlan`).
extension SynthesisPlan {
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
            let v =
                literals.flatMap { k < $0.count ? SQLText.literal($0[k]) : nil }
                ?? generic(column, "\(k)::bigint", count: layout.mostCommon.count + layout.distinct)
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
        guard let (pivot, lastOfLeft) = left.last else { return otherwise }  // never: more than 4 segments
        // Below the pivot the rank is in one of the left segments: the last of them needs no test.
        let inLeft = segmentCase(r, left.dropLast(), otherwise: lastOfLeft)
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
                let span = max(
                    1,
                    ((high - low) / step).rounded(.down)
                        + (column.highExclusive && (high - low) / step == ((high - low) / step).rounded() ? 0 : 1))
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
