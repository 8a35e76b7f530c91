extension Profile {
    /// The same shapes without a value that could come from a row: the most common
    /// values and the histogram bounds go; their frequencies, the histogram's size,
    /// distinct counts, null fractions, widths and correlations stay. Enum labels and
    /// booleans are the type's own values, not a row's, so an enum's or a boolean's
    /// most common values stay; so do check constraints (schema).
    public func redactingRowValues() -> Profile {
        var copy = self
        copy.redacted = true
        copy.tables = tables.map { table in
            var t = table
            t.columns = table.columns.map { column in
                var c = column
                guard var stats = c.stats else { return c }
                if c.kind != .enum && c.kind != .boolean { stats.mostCommonVals = nil }
                stats.histogramSize = stats.histogramBounds?.count ?? stats.histogramSize
                stats.histogramBounds = nil
                c.stats = stats
                return c
            }
            return t
        }
        return copy
    }
}
