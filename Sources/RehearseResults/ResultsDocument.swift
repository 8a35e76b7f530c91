public import Foundation
public import RehearseHistogram
public import RehearseSupport

/// The results document, format version 1 (see shared/spec/results-format.md).
///
/// Keys are snake_case on the wire; the coders in `ResultsCoding` convert them.
/// Optional values encode as `null` where the spec shows `null` (errors), and are
/// omitted otherwise.
public struct ResultsDocument: Codable, Sendable {
    public var schemaVersion: Int = 1
    public var scenario: ScenarioInfo
    public var run: RunInfo
    public var environment: EnvironmentInfo
    public var verdict: Verdict
    public var reasons: [String]
    public var expectation: ExpectationResult
    /// Set when the run was stopped by SIGINT/SIGTERM before it finished.
    public var interrupted: Bool?
    public var repetitions: [RepetitionResult]
    public var summary: Summary
    /// With `sweep`: each step's prediction at the sweep's `predict` scale, how it was made,
    /// and every scale's repetitions (`repetitions` and `summary` are then the largest scale's).
    public var predictions: [String: StepPrediction]? = nil
    public var predictionMethod: PredictionMethod? = nil
    public var sweep: [SweepScale]? = nil
    /// `run --shard`: the repetitions of the suite this document holds.
    public var shard: ShardInfo?
    /// A document made by `rehearse merge`: the documents it was made of.
    public var mergedFrom: [MergedPart]?
    /// `run --load-slice`: this process's share of each workload of one run.
    public var loadSlice: LoadSliceInfo?

    package init(
        schemaVersion: Int = 1, scenario: ScenarioInfo, run: RunInfo, environment: EnvironmentInfo, verdict: Verdict, reasons: [String],
        expectation: ExpectationResult, interrupted: Bool? = nil, repetitions: [RepetitionResult], summary: Summary
    ) {
        self.schemaVersion = schemaVersion
        self.scenario = scenario
        self.run = run
        self.environment = environment
        self.verdict = verdict
        self.reasons = reasons
        self.expectation = expectation
        self.interrupted = interrupted
        self.repetitions = repetitions
        self.summary = summary
    }

    public struct ScenarioInfo: Codable, Sendable {
        public var name: String
        public var file: String
        public var sha256: String
        /// The scenario's targets by step (`{"putaway": ["p95 < 2000ms"]}`) and its `expect`,
        /// so that `merge` can judge the whole again from the documents alone.
        public var targets: [String: [String]]?
        public var expect: ExpectInfo?

        package init(name: String, file: String, sha256: String) {
            self.name = name
            self.file = file
            self.sha256 = sha256
        }
    }

    public struct RunInfo: Codable, Sendable {
        public var id: String
        public var startedAt: String
        public var finishedAt: String
        public var gitCommit: String?

        package init(id: String, startedAt: String, finishedAt: String, gitCommit: String? = nil) {
            self.id = id
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.gitCommit = gitCommit
        }
    }

    public struct EnvironmentInfo: Codable, Sendable {
        public var rehearseVersion: String
        public var postgresVersion: String
        public var server: ServerKind
        public var settings: [String: String]
        public var os: String
        public var cpuModel: String
        public var cpuCount: Int
        public var memoryBytes: Int64
        /// The driver's own floor: `SELECT 1` round trips timed before the first step.
        public var calibration: Calibration?
        /// How a server memory cap was enforced, when one was asked for.
        public var memoryCapEnforcement: String?

        package init(
            rehearseVersion: String, postgresVersion: String, server: ServerKind, settings: [String: String], os: String, cpuModel: String,
            cpuCount: Int, memoryBytes: Int64, calibration: Calibration? = nil, memoryCapEnforcement: String? = nil
        ) {
            self.rehearseVersion = rehearseVersion
            self.postgresVersion = postgresVersion
            self.server = server
            self.settings = settings
            self.os = os
            self.cpuModel = cpuModel
            self.cpuCount = cpuCount
            self.memoryBytes = memoryBytes
            self.calibration = calibration
            self.memoryCapEnforcement = memoryCapEnforcement
        }
    }

    public struct Calibration: Codable, Sendable {
        public var roundTrips: Int
        public var p50Ms: Double
        public var p99Ms: Double

        package init(roundTrips: Int, p50Ms: Double, p99Ms: Double) {
            self.roundTrips = roundTrips
            self.p50Ms = p50Ms
            self.p99Ms = p99Ms
        }
    }

    public struct ExpectationResult: Codable, Sendable {
        public var met: Bool
        public var mismatches: [String]

        package init(met: Bool, mismatches: [String]) {
            self.met = met
            self.mismatches = mismatches
        }
    }

    public struct Summary: Codable, Sendable {
        public var steps: [String: StepSummary]

        package init(steps: [String: StepSummary]) {
            self.steps = steps
        }
    }

    public struct StepSummary: Codable, Sendable {
        public var latencyMs: LatencySummary?
        public var durationMs: [Double]
        public var errorRate: Double
        public var batches: Int?
        public var rows: Int?
        public var throughput: Double?
        public var serverMemoryPeak: Int64?
        public var clientMemoryPeak: Int64?
        /// Merged histogram of all repetitions (same encoding as a step's `histogram`).
        public var histogram: String?
        /// A workload's transactions, merged over the repetitions as the step is.
        public var transactions: [String: StepSummary]?

        package init(
            latencyMs: LatencySummary? = nil, durationMs: [Double], errorRate: Double, batches: Int? = nil, rows: Int? = nil,
            throughput: Double? = nil, serverMemoryPeak: Int64? = nil, clientMemoryPeak: Int64? = nil, histogram: String? = nil,
            transactions: [String: StepSummary]? = nil
        ) {
            self.latencyMs = latencyMs
            self.durationMs = durationMs
            self.errorRate = errorRate
            self.batches = batches
            self.rows = rows
            self.throughput = throughput
            self.serverMemoryPeak = serverMemoryPeak
            self.clientMemoryPeak = clientMemoryPeak
            self.histogram = histogram
            self.transactions = transactions
        }
    }
}

public struct ErrorInfo: Codable, Sendable, Equatable {
    /// Written as `null` when the error has none (a client-side failure): the format gives an error
    /// as `{"sqlstate", "message"}`. Documents written without the key still decode.
    @EncodedAsNull public var sqlstate: String?
    public var message: String
    /// The migration file, for a migrate step or a rollback through down scripts.
    public var migration: String?
    public var detail: String?
    public var hint: String?

    package init(sqlstate: String? = nil, message: String, migration: String? = nil, detail: String? = nil, hint: String? = nil) {
        self.sqlstate = sqlstate
        self.message = message
        self.migration = migration
        self.detail = detail
        self.hint = hint
    }
}

public struct RepetitionResult: Codable, Sendable {
    public var verdict: Verdict
    public var steps: [StepResult]
    public var faults: [FaultResult]
    public var checks: [CheckResult]
    public var targets: [TargetResult]
    public var rollback: RollbackResult
    public var reasons: [String]?
    /// How long creating this repetition's fresh database from the template took.
    public var databaseMs: Double?
    /// Which repetition of the scenario this is (1-based), when a shard ran only some.
    public var index: Int?

    package init(
        verdict: Verdict, steps: [StepResult], faults: [FaultResult], checks: [CheckResult], targets: [TargetResult],
        rollback: RollbackResult, reasons: [String]? = nil, databaseMs: Double? = nil
    ) {
        self.verdict = verdict
        self.steps = steps
        self.faults = faults
        self.checks = checks
        self.targets = targets
        self.rollback = rollback
        self.reasons = reasons
        self.databaseMs = databaseMs
    }
}

public struct StepResult: Codable, Sendable {
    public var name: String
    public var kind: String
    public var status: StepStatus
    @EncodedAsNull public var error: ErrorInfo?
    public var durationMs: Double
    public var startedMs: Double?
    public var batches: Int
    public var rows: Int
    public var rowsSkipped: Int?
    public var rowsRemaining: Int?
    public var errors: [String: Int]
    public var latencyMs: LatencySummary?
    public var histogram: String?
    public var serverMemoryPeak: Int64?
    public var clientMemoryPeak: Int64?
    public var lockWaitMaxMs: Double?
    public var locksTaken: [LockTaken]?
    public var impact: Impact?
    public var timeline: [TimelineBucket]?
    /// Workload additions: service time (from the send) and schedule lag, open model only.
    public var serviceMs: LatencySummary?
    public var lagMs: LatencySummary?
    /// Workload addition: percentiles per transaction name.
    public var transactions: [String: TransactionResult]?
    /// Migrate addition: the migrations applied, in order.
    public var migrations: [MigrationResult]?
    /// Run addition: exit code and masked output.
    public var exitCode: Int?
    public var output: String?
    public var background: Bool?
    public var skippedRows: [String]?
    /// The work the step made the server do (not for background workloads).
    public var work: WorkCounters?
    /// Synthesize addition: each profiled table's rows and fidelity.
    public var tables: [String: SynthesizedTable]?
    /// A load slice's workload: when its lanes started (UTC, this machine's clock).
    public var startedAt: String?

    package init(
        name: String, kind: String, status: StepStatus, error: ErrorInfo? = nil, durationMs: Double, startedMs: Double? = nil, batches: Int,
        rows: Int, rowsSkipped: Int? = nil, rowsRemaining: Int? = nil, errors: [String: Int], latencyMs: LatencySummary? = nil,
        histogram: String? = nil, serverMemoryPeak: Int64? = nil, clientMemoryPeak: Int64? = nil, lockWaitMaxMs: Double? = nil,
        locksTaken: [LockTaken]? = nil, impact: Impact? = nil, timeline: [TimelineBucket]? = nil, serviceMs: LatencySummary? = nil,
        lagMs: LatencySummary? = nil, transactions: [String: TransactionResult]? = nil, migrations: [MigrationResult]? = nil,
        exitCode: Int? = nil, output: String? = nil, background: Bool? = nil, skippedRows: [String]? = nil, work: WorkCounters? = nil,
        tables: [String: SynthesizedTable]? = nil
    ) {
        self.name = name
        self.kind = kind
        self.status = status
        self.error = error
        self.durationMs = durationMs
        self.startedMs = startedMs
        self.batches = batches
        self.rows = rows
        self.rowsSkipped = rowsSkipped
        self.rowsRemaining = rowsRemaining
        self.errors = errors
        self.latencyMs = latencyMs
        self.histogram = histogram
        self.serverMemoryPeak = serverMemoryPeak
        self.clientMemoryPeak = clientMemoryPeak
        self.lockWaitMaxMs = lockWaitMaxMs
        self.locksTaken = locksTaken
        self.impact = impact
        self.timeline = timeline
        self.serviceMs = serviceMs
        self.lagMs = lagMs
        self.transactions = transactions
        self.migrations = migrations
        self.exitCode = exitCode
        self.output = output
        self.background = background
        self.skippedRows = skippedRows
        self.work = work
        self.tables = tables
    }
}

public struct TransactionResult: Codable, Sendable {
    public var batches: Int
    public var errors: [String: Int]
    public var latencyMs: LatencySummary?
    /// The transaction's latencies (same encoding as a step's `histogram`), for `merge`.
    public var histogram: String?

    package init(batches: Int, errors: [String: Int], latencyMs: LatencySummary? = nil) {
        self.batches = batches
        self.errors = errors
        self.latencyMs = latencyMs
    }
}

public struct MigrationResult: Codable, Sendable {
    public var version: String
    public var name: String
    public var file: String
    public var durationMs: Double
    public var transactional: Bool
    public var status: StepStatus
    /// With `verify_down`: whether the down undid the up.
    public var verifyDown: VerifyDownResult?

    package init(
        version: String, name: String, file: String, durationMs: Double, transactional: Bool, status: StepStatus,
        verifyDown: VerifyDownResult? = nil
    ) {
        self.version = version
        self.name = name
        self.file = file
        self.durationMs = durationMs
        self.transactional = transactional
        self.status = status
        self.verifyDown = verifyDown
    }
}

public struct VerifyDownResult: Codable, Sendable {
    /// `passed`, `failed`, `no_down` or `not_run`.
    public var status: VerifyDownStatus
    public var differences: [Difference]
    /// The down file, and the error it failed with, if it did not run through.
    public var file: String?
    public var error: ErrorInfo?

    package init(status: VerifyDownStatus, differences: [Difference], file: String? = nil, error: ErrorInfo? = nil) {
        self.status = status
        self.differences = differences
        self.file = file
        self.error = error
    }
}

public struct LockTaken: Codable, Sendable, Equatable {
    public var relation: String
    /// `relation`, `row` (a `tuple` lock: a session waiting for a row), `advisory` or `object`.
    /// Absent in documents written before it was recorded.
    public var kind: String?
    public var mode: String
    public var heldMs: Double
    /// True when read from the step's own transaction after each statement; false when sampled.
    public var exact: Bool?
    /// The file and line of the statement that took it (exact locks only).
    public var statement: String?

    package init(relation: String, kind: String? = nil, mode: String, heldMs: Double, exact: Bool? = nil, statement: String? = nil) {
        self.relation = relation
        self.kind = kind
        self.mode = mode
        self.heldMs = heldMs
        self.exact = exact
        self.statement = statement
    }
}

public struct Impact: Codable, Sendable {
    public var step: String
    public var batches: Int
    public var errors: Int
    public var latencyMs: LatencySummary?
    /// The background transactions' latencies while the step ran, for `merge`.
    public var histogram: String?

    package init(step: String, batches: Int, errors: Int, latencyMs: LatencySummary? = nil) {
        self.step = step
        self.batches = batches
        self.errors = errors
        self.latencyMs = latencyMs
    }
}

public struct TimelineBucket: Codable, Sendable {
    public var second: Int
    public var batches: Int
    public var errors: Int
    public var p50: Double
    public var p99: Double
    public var max: Double
    /// That second's latencies, where a target over a window (or `merge` of load slices) reads them.
    public var histogram: String?

    package init(second: Int, batches: Int, errors: Int, p50: Double, p99: Double, max: Double) {
        self.second = second
        self.batches = batches
        self.errors = errors
        self.p50 = p50
        self.p99 = p99
        self.max = max
    }
}

public struct FaultResult: Codable, Sendable {
    public var kind: String
    public var target: String
    public var during: String?
    public var applied: Bool
    public var reason: String?
    public var startedMs: Double?
    public var endedMs: Double?
    public var enforcement: String?
    public var observed: [String: JSONValue]

    package init(
        kind: String, target: String, during: String? = nil, applied: Bool, reason: String? = nil, startedMs: Double? = nil,
        endedMs: Double? = nil, enforcement: String? = nil, observed: [String: JSONValue]
    ) {
        self.kind = kind
        self.target = target
        self.during = during
        self.applied = applied
        self.reason = reason
        self.startedMs = startedMs
        self.endedMs = endedMs
        self.enforcement = enforcement
        self.observed = observed
    }
}

public struct CheckResult: Codable, Sendable {
    public var name: String
    public var passed: Bool
    public var expected: JSONValue
    public var actual: JSONValue
    public var phase: String
    public var error: ErrorInfo?

    package init(name: String, passed: Bool, expected: JSONValue, actual: JSONValue, phase: String, error: ErrorInfo? = nil) {
        self.name = name
        self.passed = passed
        self.expected = expected
        self.actual = actual
        self.phase = phase
        self.error = error
    }
}

public struct TargetResult: Codable, Sendable {
    public var step: String
    public var target: String
    public var actual: Double?
    public var passed: Bool
    /// An `over` target: the worst window, whose value is `actual`.
    public var window: TargetWindow?

    package init(step: String, target: String, actual: Double? = nil, passed: Bool, window: TargetWindow? = nil) {
        self.step = step
        self.target = target
        self.actual = actual
        self.passed = passed
        self.window = window
    }
}

/// Seconds `[from_second, to_second)` of a step's timeline (since the repetition began),
/// and the repetition (1-based) when a target is judged over several.
public struct TargetWindow: Codable, Sendable, Equatable {
    public var fromSecond: Int
    public var toSecond: Int
    public var repetition: Int?

    package init(fromSecond: Int, toSecond: Int, repetition: Int? = nil) {
        self.fromSecond = fromSecond
        self.toSecond = toSecond
        self.repetition = repetition
    }
}

public struct RollbackResult: Codable, Sendable {
    public var status: RollbackStatus
    public var durationMs: Double?
    @EncodedAsNull public var error: ErrorInfo?
    public var differences: [Difference]
    public var via: String?
    /// Why a rollback that was due did not run (`not_run`), e.g. the run was interrupted first.
    public var reason: String? = nil

    package init(
        status: RollbackStatus, durationMs: Double? = nil, error: ErrorInfo? = nil, differences: [Difference], via: String? = nil,
        reason: String? = nil
    ) {
        self.status = status
        self.durationMs = durationMs
        self.error = error
        self.differences = differences
        self.via = via
        self.reason = reason
    }
}

public struct Difference: Codable, Sendable, Equatable {
    public var object: String
    public var kind: String
    public var change: String
    public var detail: String

    package init(object: String, kind: String, change: String, detail: String) {
        self.object = object
        self.kind = kind
        self.change = change
        self.detail = detail
    }
}

/// A JSON value, for the few keys whose type depends on the data (check values, fault observations).
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// The coders every reader and writer of results uses.
public enum ResultsCoding {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}

/// An optional that is written as `null` when absent, as the results format shows for `error`.
@propertyWrapper
public struct EncodedAsNull<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key decodes as nil.
    public func decode<V>(_ type: EncodedAsNull<V>.Type, forKey key: Key) throws -> EncodedAsNull<V> {
        try decodeIfPresent(type, forKey: key) ?? EncodedAsNull(wrappedValue: nil)
    }
}
