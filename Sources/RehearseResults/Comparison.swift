public import Foundation
public import RehearseSupport
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

    /// Findings that regressed, over all scenarios.
    public var regressionCount: Int { scenarios.reduce(0) { $0 + $1.findings.filter { $0.verdict == .regressed }.count } }
}

/// One scenario's comparison: its verdicts, environment warnings and one finding per step
/// (plus the verdict's and the checks' findings), each with its metric rows under it.
public struct ScenarioComparison: Codable, Sendable {
    public var scenario: String
    public var baselineVerdict: Verdict
    public var currentVerdict: Verdict
    /// Environment differences that make the numbers less comparable.
    public var warnings: [String]
    public var findings: [Finding]
    /// Every finding's metric rows, in order (also written to JSON for readers of the older layout).
    public var rows: [MetricComparison] { findings.flatMap(\.rows) }
    public var hasRegression: Bool { findings.contains { $0.verdict == .regressed } }

    enum CodingKeys: String, CodingKey { case scenario, baselineVerdict, currentVerdict, warnings, findings, rows }

    public init(scenario: String, baselineVerdict: Verdict, currentVerdict: Verdict, warnings: [String], findings: [Finding]) {
        self.scenario = scenario
        self.baselineVerdict = baselineVerdict
        self.currentVerdict = currentVerdict
        self.warnings = warnings
        self.findings = findings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try c.decode(String.self, forKey: .scenario)
        baselineVerdict = try c.decode(Verdict.self, forKey: .baselineVerdict)
        currentVerdict = try c.decode(Verdict.self, forKey: .currentVerdict)
        warnings = try c.decode([String].self, forKey: .warnings)
        findings = try c.decode([Finding].self, forKey: .findings)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(baselineVerdict, forKey: .baselineVerdict)
        try c.encode(currentVerdict, forKey: .currentVerdict)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(findings, forKey: .findings)
        try c.encode(rows, forKey: .rows)
    }
}

/// One row: a step's metric (or a check, a step status, the verdict) on both sides. Rows are
/// the evidence under a finding; only the finding's verdict counts.
public struct MetricComparison: Codable, Sendable {
    /// `changed`: past the threshold but not what the finding was judged on (or informational, as
    /// rows and a step on one side only); `untested`: too few repetitions to tell noise from change.
    public enum Change: String, Codable, Sendable { case regressed, improved, unchanged, changed, untested }
    /// A step name, `checks`, or `verdict`.
    public var step: String
    /// `p95`, `duration`, `wal_bytes`, …, `status`, `step`, a check's name, or `verdict`.
    public var metric: String
    public var baseline: Double?
    public var current: Double?
    /// Relative change (0.10 is +10%), when both sides have a value.
    public var change: Double?
    public var verdict: Change
    /// How the finding that this row decided was tested, or why it was not.
    public var significance: String?
    /// For checks, statuses and verdicts: what changed, in words.
    public var note: String?
    public var unit: String
}

extension MetricComparison {
    /// A metric's value as the comparison tables show it, in its unit.
    package static func formatted(_ value: Double?, unit: String) -> String {
        guard let value else { return "" }
        switch unit {
        case "B": return String(format: "%.1f MB", value / 1_048_576)
        case "ms": return value >= 100 ? String(format: "%.0f ms", value) : String(format: "%.2f ms", value)
        case "/s": return String(format: "%.1f/s", value)
        case "ratio": return String(format: "%.2f%%", value * 100)
        default: return value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.4f", value)
        }
    }
}
