public import Foundation
public import RehearseSQL
public import RehearseSupport

/// A scenario file, format version 1 (see shared/spec/scenario-format.md).
///
/// The model is plain values: the loader builds it from YAML with every
/// node's position kept in `SourceLocation`, so that any later validation
/// error can still name the file, line and column.
public struct Scenario: Sendable {
    public var name: String
    public var description: String?
    public var repeatCount: Int
    public var database: DatabaseSettings
    public var steps: [Step]
    public var faults: [Fault]
    public var checks: [Check]
    public var targets: [TargetGroup]
    public var rollback: Rollback?
    public var expect: Expectation
    /// `data:`: the profile `synthesize` steps read.
    public var data: DataSettings? = nil
    /// `sweep:`: the scales the scenario runs at, and the one to predict.
    public var sweep: Sweep? = nil
    /// The scenario file, as given (relative paths in the scenario resolve against its folder).
    public var file: URL
    /// SHA-256 of the file's bytes, hex.
    public var sha256: String

    public var directory: URL { file.deletingLastPathComponent() }

    /// The foreground step whose end stops a background step: the one its `until`
    /// names, followed through background steps (which finish when theirs stops),
    /// else the last step.
    package func stoppingStep(of step: Step) -> String? {
        var name = step.until
        var seen: Set<String> = []
        while let current = name, let next = steps.first(where: { $0.name == current }), next.background,
            seen.insert(current).inserted
        {
            name = next.until
        }
        return name ?? steps.last?.name
    }
}

/// Where something was written in a scenario file (1-based line and column).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

public struct DatabaseSettings: Sendable {
    public var settings: [(name: String, value: String)] = []
    /// Where each setting's value is, for errors the server binary finds in it.
    public var locations: [String: SourceLocation] = [:]
    public var extensions: [String] = []
    /// `versions`: the PostgreSQL majors to run on (nil: the server chosen as before).
    public var versions: [Int]?
    public init() {}
}

public enum OnError: String, Sendable, CaseIterable { case stop, `continue` }

public struct Step: Sendable {
    public var name: String
    public var kind: Kind
    public var onError: OnError
    /// Only for `workload`: run beside the following steps.
    public var background: Bool
    /// Only for background workloads: the step after which the workload stops (nil: the last step).
    public var until: String?
    /// Per-step timeout (engine addition; default generous).
    public var timeout: Duration?
    public var location: SourceLocation

    public enum Kind: Sendable {
        case sql(SQLSource)
        case migrate(MigrateSpec)
        case seed(SeedSpec)
        case backfill(BackfillSpec)
        case workload(WorkloadSpec)
        case run(RunSpec)
        case snapshot(String)
        case synthesize(SynthesizeSpec)

        public var name: String {
            switch self {
            case .sql: "sql"
            case .migrate: "migrate"
            case .seed: "seed"
            case .backfill: "backfill"
            case .workload: "workload"
            case .run: "run"
            case .snapshot: "snapshot"
            case .synthesize: "synthesize"
            }
        }
    }
}

public enum SQLSource: Sendable {
    case inline(String)
    /// Resolved absolute path.
    case file(URL)
}

public struct MigrateSpec: Sendable {
    /// Resolved absolute path of the migrations folder.
    public var dir: URL
    /// `latest` is nil.
    public var to: String?
    public var lockTimeout: Duration?
    public var statementTimeout: Duration?
    public var verifyDown: VerifyDown = .off
    /// `transaction:`: every file sent one way, whatever the layout says.
    public var transaction: TransactionOverride?
    /// `mixed: true`: a Flyway script mixing both kinds of statement runs without a transaction.
    public var mixed = false
}

/// `verify_down`: whether each migration's down is checked to undo its up.
public enum VerifyDown: String, Sendable {
    case off
    /// Stop at the first migration whose down does not undo its up (`true`, `first`).
    case first
    /// Check every migration and list all that fail.
    case all
}

public struct SeedSpec: Sendable {
    public struct Table: Sendable {
        public var table: String
        public var csv: URL
        public var location: SourceLocation
        /// Parallel COPY connections for this file (`streams`; default `auto`, as the format says).
        public var streams: SeedStreams = .auto
    }
    public var tables: [Table]
    public var chunkRows: Int
    public var onMissingReference: MissingReferencePolicy
}

/// How many COPY streams load one CSV file: a number, or `auto` (the local cores, at most 4).
public enum SeedStreams: Sendable, Equatable {
    case auto
    case count(Int)
}

public enum MissingReferencePolicy: String, Sendable, CaseIterable { case skip, fail }

public struct BackfillSpec: Sendable {
    public var table: String
    public var set: String
    public var whereClause: String
    public var batchSize: Int
    public var pause: Duration
    public var skipLocked: Bool
    public var lockTimeout: Duration?
    public var statementTimeout: Duration?
    public var idleInTransactionTimeout: Duration?
    public var retries: Int
}

public struct WorkloadSpec: Sendable {
    public var connections: Int
    public enum Length: Sendable {
        case iterations(Int)
        case duration(Duration)
    }
    public var length: Length?
    /// Transactions a second across all connections (open model); nil is the closed model.
    public var rate: Double?
    public var transactions: [Transaction]
    /// libpq pipeline depth (engine addition); 1 means no pipelining.
    public var pipeline: Int

    package init(connections: Int, length: Length? = nil, rate: Double? = nil, transactions: [Transaction], pipeline: Int) {
        self.connections = connections
        self.length = length
        self.rate = rate
        self.transactions = transactions
        self.pipeline = pipeline
    }

    public struct Transaction: Sendable {
        public var name: String
        public var weight: Int
        public var sql: SQLSource
        public var params: [ParamGenerator]
        /// `pgbench: FILE`: a pgbench script run as the transaction (then `sql` is unused).
        public var pgbench: PgBenchFile? = nil
        /// `scale:`: the script's `:scale` (pgbench's `-s`).
        public var scale: Int64 = 1

        package init(name: String, weight: Int, sql: SQLSource, params: [ParamGenerator]) {
            self.name = name
            self.weight = weight
            self.sql = sql
            self.params = params
        }
    }
}

public enum ParamGenerator: Sendable, Equatable {
    case randomInt(Int64, Int64)
    case pick([String])
    /// Increments by one per execution across the workload, starting at the value.
    case sequence(Int64)
    case constant(String)
}

public struct RunSpec: Sendable {
    public var command: [String]
    /// Extra environment (engine addition).
    public var environment: [String: String]
    /// Working directory: the scenario's folder.
    public var workingDirectory: URL
}

public struct Fault: Sendable {
    public var kind: Kind
    public var location: SourceLocation
    /// `required: false` (a memory cap): a fault that cannot be put in place is recorded as
    /// not applied and the run goes on, instead of ending it as an infrastructure error.
    public var required = true

    public enum Kind: Sendable {
        case lock(LockFault)
        case memoryCapServer(bytes: Int64)
        case memoryCapStep(step: String, bytes: Int64)
        case missingSeed(MissingSeedFault)
    }

    public var kindName: String {
        switch kind {
        case .lock: "lock"
        case .memoryCapServer, .memoryCapStep: "memory_cap"
        case .missingSeed: "missing_seed"
        }
    }
}

public struct LockFault: Sendable {
    public enum Target: Sendable {
        case table(String, mode: LockMode)
        case rows(table: String, predicate: String)
        case advisory(Int64)
    }
    public var target: Target
    public var during: String
    public var after: Duration
    public var hold: Duration?
    public var idleInTransaction: Bool
}

/// The eight table lock modes, spelled in scenarios with underscores.
public enum LockMode: String, Sendable, CaseIterable {
    case accessShare = "access_share"
    case rowShare = "row_share"
    case rowExclusive = "row_exclusive"
    case shareUpdateExclusive = "share_update_exclusive"
    case share = "share"
    case shareRowExclusive = "share_row_exclusive"
    case exclusive = "exclusive"
    case accessExclusive = "access_exclusive"

    /// As written in `LOCK TABLE … IN <mode> MODE`.
    public var sql: String { rawValue.replacingOccurrences(of: "_", with: " ").uppercased() }
}

public struct MissingSeedFault: Sendable {
    public var table: String
    public enum Selection: Sendable {
        case values(column: String, values: [String])
        case fraction(Double, randomSeed: UInt64)
    }
    public var selection: Selection
}

public struct Check: Sendable {
    public var name: String
    public var kind: Kind
    public var location: SourceLocation

    public enum Kind: Sendable {
        case rowCount(table: String, expect: Expectation)
        case query(sql: String, expect: Expectation)
        case schema(table: String, columns: [(name: String, type: String)])
        case expectError(sql: String, sqlstate: String)
    }

    public enum Expectation: Sendable, Equatable {
        case equals(String)
        case compare(ComparisonOperator, Double)
        case between(Double, Double)
    }
}

public enum ComparisonOperator: String, Sendable, CaseIterable {
    case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "="
    public func holds(_ lhs: Double, _ rhs: Double) -> Bool {
        switch self {
        case .lt: lhs < rhs
        case .le: lhs <= rhs
        case .gt: lhs > rhs
        case .ge: lhs >= rhs
        case .eq: lhs == rhs
        }
    }
}

/// The targets of one step (`putaway`), of one transaction of a workload step
/// (`ingest.insert_posts`) or of a step's impact (`deploy.impact`).
public struct TargetGroup: Sendable {
    public var step: String
    public var impact: Bool
    public var transaction: String? = nil
    public var targets: [Target]

    /// How the scenario names the group, and its targets' results.
    public var label: String { impact ? "\(step).impact" : transaction.map { "\(step).\($0)" } ?? step }
}

/// `<metric> <op> <value>`, e.g. `p95 < 2000ms`.
public struct Target: Sendable, Equatable {
    public var text: String
    public var metric: Metric
    public var op: ComparisonOperator
    /// In the metric's unit: milliseconds for times, bytes for sizes, a fraction for rates.
    public var value: Double
    /// `p99 over 10s < 500ms`: judged in every window of this length of the step's timeline.
    public var window: Duration? = nil
    public var location: SourceLocation
    /// `predicted.duration`, `predicted.lock_hold[.<relation>]`: judged on a sweep's
    /// prediction (its upper bound), never on one scale's measurements. `metric` is then
    /// `duration`, the unit of both.
    public var predicted: PredictedMetric? = nil

    public enum Metric: String, Sendable, CaseIterable {
        case p50, p90, p95, p99, p999, max, mean, duration
        case errorRate = "error_rate"
        case errors, batches, throughput, rows
        case serverMemoryPeak = "server_memory_peak"
        case clientMemoryPeak = "client_memory_peak"

        /// What the per-second timeline can tell over a window.
        public var windowable: Bool {
            switch self {
            case .p50, .p90, .p95, .p99, .p999, .max, .errorRate, .throughput: true
            default: false
            }
        }
    }
}

public struct Rollback: Sendable {
    public enum When: String, Sendable, CaseIterable { case always, onBlocked = "on_blocked", never }
    public enum Via: String, Sendable, CaseIterable { case down, restore }
    public enum Verify: String, Sendable, CaseIterable { case schema, data, checks }
    public var when: When
    public var via: Via
    public var to: String?
    public var verify: [Verify]
    /// Names of the checks to run again when `verify` has `checks` (nil: all).
    public var checks: [String]?
    public var location: SourceLocation
}

public struct Expectation: Sendable {
    public var verdict: Verdict = .approved
    public var failedChecks: [String]?
    public var stepErrors: [String: String]?
    public var rollback: RollbackStatus?
    public init() {}
}
