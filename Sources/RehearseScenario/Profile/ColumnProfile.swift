/// One column: its type as the catalog names it and its `pg_stats` row.
public struct ColumnProfile: Codable, Sendable, Equatable {
    public var name: String
    /// `format_type(atttypid, atttypmod)`: `integer`, `character varying(50)`, `public.mpaa_rating`, …
    public var type: String
    /// The family the synthesizer generates values of.
    public var kind: ColumnKind
    public var notNull: Bool
    /// The labels of an enum type, in order (schema: kept by `--redact`).
    public var enumLabels: [String]?
    /// nil when the table was never analyzed (or the column has no statistics).
    public var stats: ColumnStats?

    public init(name: String, type: String, kind: ColumnKind, notNull: Bool, enumLabels: [String]? = nil, stats: ColumnStats? = nil) {
        self.name = name
        self.type = type
        self.kind = kind
        self.notNull = notNull
        self.enumLabels = enumLabels
        self.stats = stats
    }

    enum CodingKeys: String, CodingKey {
        case name, type, kind
        case notNull = "not_null"
        case enumLabels = "enum_labels"
        case stats
    }
}

/// The families of types a `synthesize` step can generate; `other` is left to its
/// default (or NULL).
public enum ColumnKind: String, Codable, Sendable, CaseIterable {
    case integer, numeric, text, timestamp, timestamptz, date, boolean, uuid, `enum`, json, jsonb, other
}

/// A column's row of `pg_stats`, with the view's own names. Values are text as
/// PostgreSQL writes them (`most_common_vals`, `histogram_bounds`).
public struct ColumnStats: Codable, Sendable, Equatable {
    /// Fraction of rows that are NULL.
    public var nullFrac: Double
    /// Positive: a count of distinct values; negative: minus the fraction of rows (-1: unique).
    public var nDistinct: Double
    /// nil when redacted; otherwise as many as `mostCommonFreqs`.
    public var mostCommonVals: [String]?
    /// Frequencies (fractions of all rows) of the most common values, kept by `--redact`.
    public var mostCommonFreqs: [Double]?
    /// Equal-frequency bucket bounds of the values outside the most common ones; nil when redacted.
    public var histogramBounds: [String]?
    /// How many bounds the histogram had: the histogram's shape, kept by `--redact`.
    public var histogramSize: Int?
    /// Average stored width in bytes.
    public var avgWidth: Int
    /// Correlation of physical row order with the column's order, -1 to 1; nil for unordered types.
    public var correlation: Double?

    public init(
        nullFrac: Double, nDistinct: Double, mostCommonVals: [String]? = nil, mostCommonFreqs: [Double]? = nil,
        histogramBounds: [String]? = nil, histogramSize: Int? = nil, avgWidth: Int, correlation: Double? = nil
    ) {
        self.nullFrac = nullFrac
        self.nDistinct = nDistinct
        self.mostCommonVals = mostCommonVals
        self.mostCommonFreqs = mostCommonFreqs
        self.histogramBounds = histogramBounds
        self.histogramSize = histogramSize ?? histogramBounds?.count
        self.avgWidth = avgWidth
        self.correlation = correlation
    }

    /// The distinct count among `rows` rows: `n_distinct` read as PostgreSQL means it.
    public func distinctCount(rows: Double) -> Double {
        nDistinct < 0 ? -nDistinct * rows : min(nDistinct, rows)
    }

    enum CodingKeys: String, CodingKey {
        case nullFrac = "null_frac"
        case nDistinct = "n_distinct"
        case mostCommonVals = "most_common_vals"
        case mostCommonFreqs = "most_common_freqs"
        case histogramBounds = "histogram_bounds"
        case histogramSize = "histogram_size"
        case avgWidth = "avg_width"
        case correlation
    }
}
