/// The outcome of comparing results with a baseline (`rehearse compare`); Codable for `--format json`.
public struct ComparisonReport: Codable, Sendable {
    public var threshold: Double
    public var scenarios: [ScenarioComparison]
    /// Scenarios in the current run with no baseline, and the other way round.
    public var missingBaseline: [String]
    public var missingCurrent: [String]
    /// Whether environment differences make the comparison invalid (`--strict`).
    public var strict: Bool
    /// A metric, check, step status or verdict got worse.
    public var hasRegression: Bool { scenarios.contains { $0.hasRegression } }
    /// Environment differences, each prefixed with its scenario.
    public var warnings: [String] { scenarios.flatMap { s in s.warnings.map { "\(s.scenario): \($0)" } } }
    /// False when `strict` and the environments differ: the CLI exits 2, not 0 or 1.
    public var isValid: Bool { !(strict && !warnings.isEmpty) }

    enum CodingKeys: String, CodingKey {
        case threshold, scenarios, missingBaseline, missingCurrent, strict, hasRegression, warnings, valid
    }

    public init(
        threshold: Double, scenarios: [ScenarioComparison], missingBaseline: [String], missingCurrent: [String], strict: Bool = false
    ) {
        self.threshold = threshold
        self.scenarios = scenarios
        self.missingBaseline = missingBaseline
        self.missingCurrent = missingCurrent
        self.strict = strict
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        threshold = try c.decode(Double.self, forKey: .threshold)
        scenarios = try c.decode([ScenarioComparison].self, forKey: .scenarios)
        missingBaseline = try c.decode([String].self, forKey: .missingBaseline)
        missingCurrent = try c.decode([String].self, forKey: .missingCurrent)
        strict = try c.decodeIfPresent(Bool.self, forKey: .strict) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(scenarios, forKey: .scenarios)
        try c.encode(missingBaseline, forKey: .missingBaseline)
        try c.encode(missingCurrent, forKey: .missingCurrent)
        try c.encode(strict, forKey: .strict)
        try c.encode(hasRegression, forKey: .hasRegression)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(isValid, forKey: .valid)
    }

    /// Rows that regressed, over all scenarios.
    public var regressionCount: Int { scenarios.reduce(0) { $0 + $1.rows.filter { $0.verdict == .regressed }.count } }
}

/// One scenario's comparison: its verdicts, environment warnings and one row per step metric.
public struct ScenarioComparison: Codable, Sendable {
    public var scenario: String
    public var baselineVerdict: String
    public var currentVerdict: String
    /// Environment differences that make the numbers less comparable.
    public var warnings: [String]
    public var rows: [MetricComparison]
    public var hasRegression: Bool {
        rows.contains { $0.verdict == .regressed }
    }
}

/// One row: a step's metric (or a check, a step status, the verdict) on both sides.
public struct MetricComparison: Codable, Sendable {
    /// `changed` is informational (rows, a step only on one side): never a regression.
    public enum Verdict: String, Codable, Sendable { case regressed, improved, unchanged, changed }
    /// A step name, `checks`, or `verdict`.
    public var step: String
    /// `p95`, `duration`, …, `status`, `step`, a check's name, or `verdict`.
    public var metric: String
    public var baseline: Double?
    public var current: Double?
    /// Relative change (0.10 is +10%), when both sides have a value.
    public var change: Double?
    public var verdict: Verdict
    /// `p=0.008 (Mann-Whitney, 5 vs 5 repetitions)`, or why significance was not tested.
    public var significance: String?
    /// For checks, statuses and verdicts: what changed, in words.
    public var note: String?
    public var unit: String
}
