/// What a `synthesize` step made of one profiled table (results format: a step's
/// `tables.<name>`): its rows and its fidelity, each statistic as `[profile, generated]`.
public struct SynthesizedTable: Codable, Sendable, Equatable {
    /// Rows generated (inserted).
    public var rows: Int
    /// The profile's row count and the step's scale; `rows` aimed at their product.
    public var profileRows: Double?
    public var scale: Double?
    /// Rows generated again because a unique key, a check or a missing parent row refused them.
    public var regenerated: Int?
    /// Why the table was not filled (the schema does not have it).
    public var skipped: String?
    public var fidelity: Fidelity?

    public init(
        rows: Int, profileRows: Double? = nil, scale: Double? = nil, regenerated: Int? = nil, skipped: String? = nil,
        fidelity: Fidelity? = nil
    ) {
        self.rows = rows
        self.profileRows = profileRows
        self.scale = scale
        self.regenerated = regenerated
        self.skipped = skipped
        self.fidelity = fidelity
    }

    /// Per column, `[profile, generated]`, the generated side as `ANALYZE` finds it.
    public struct Fidelity: Codable, Sendable, Equatable {
        /// Fraction of NULLs.
        public var nullFrac: [String: [Double]] = [:]
        /// Distinct values as a count: the profile's at this scale (a negative `n_distinct`
        /// grows with the rows, a positive one does not) and ANALYZE's estimate.
        public var nDistinct: [String: [Double]] = [:]
        /// The summed frequency of the k most common values, k the profile's count of them.
        public var mostCommonFreqs: [String: [Double]] = [:]
        public var correlation: [String: [Double]] = [:]

        public init() {}
    }
}
