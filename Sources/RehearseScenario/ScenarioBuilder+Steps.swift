import Foundation
import RehearseSQL
import Yams

extension ScenarioBuilder {
    func steps(_ node: Node) -> [Step] {
        guard let items = reader.list(node, "steps") else { return [] }
        if items.isEmpty { reader.fail(node, "steps", "a scenario needs at least one step") }
        var result: [Step] = []
        for (index, item) in items.enumerated() {
            if let step = step(item, index: index) { result.append(step) }
        }
        return result
    }

    func step(_ node: Node, index: Int) -> Step? {
        let path = "steps[\(index + 1)]"
        guard let pairs = reader.mapping(node, path, allowed: Self.stepCommon + Self.stepKinds) else { return nil }
        let kinds = pairs.filter { Self.stepKinds.contains($0.key) }
        guard kinds.count == 1, let (kindName, body, _) = kinds.first else {
            reader.fail(
                node, path,
                kinds.isEmpty
                    ? "a step needs one of: \(Self.stepKinds.joined(separator: ", "))"
                    : "a step has exactly one kind; found \(kinds.map(\.key).joined(separator: " and "))")
            return nil
        }
        var step = Step(
            name: "\(kindName)-\(index + 1)", kind: .snapshot(""), onError: .stop, background: false, until: nil, timeout: nil,
            location: reader.location(node))
        for (key, value, _) in pairs {
            let k = "\(path).\(key)"
            switch key {
            case "name":
                if let name = reader.string(value, k) {
                    // No `.`: a target's key `<step>.<transaction>` is split at it.
                    if name.range(of: "^[A-Za-z0-9_-]+$", options: .regularExpression) == nil {
                        reader.fail(value, k, "'\(name)' must use letters, digits, '-' or '_'")
                    }
                    step.name = name
                }
            case "on_error": step.onError = reader.choice(value, k, as: OnError.self) ?? step.onError
            case "background": step.background = reader.bool(value, k) ?? false
            case "until": step.until = reader.string(value, k)
            case "timeout": step.timeout = reader.duration(value, k)
            default: break
            }
        }
        let k = "\(path).\(kindName)"
        switch kindName {
        case "sql": guard let s = sqlSource(body, k) else { return nil }; step.kind = .sql(s)
        case "migrate": guard let m = migrate(body, k) else { return nil }; step.kind = .migrate(m)
        case "seed": guard let s = seed(body, k) else { return nil }; step.kind = .seed(s)
        case "backfill": guard let b = backfill(body, k) else { return nil }; step.kind = .backfill(b)
        case "workload": guard let w = workload(body, k) else { return nil }; step.kind = .workload(w)
        case "run": guard let r = run(body, k) else { return nil }; step.kind = .run(r)
        case "snapshot": guard let s = reader.string(body, k) else { return nil }; step.kind = .snapshot(s)
        case "synthesize": guard let s = synthesize(body, k) else { return nil }; step.kind = .synthesize(s)
        default: return nil
        }
        if step.background, case .workload = step.kind {
        } else if step.background {
            reader.fail(node, "\(path).background", "only a workload step can run in the background")
        }
        if step.until != nil && !step.background {
            reader.fail(node, "\(path).until", "`until` goes with `background: true`")
        }
        return step
    }

    func migrate(_ node: Node, _ key: String) -> MigrateSpec? {
        let keys = ["dir", "to", "lock_timeout", "statement_timeout", "verify_down", "transaction", "mixed"]
        guard let pairs = reader.mapping(node, key, allowed: keys) else { return nil }
        var spec = MigrateSpec(dir: directory, to: nil, lockTimeout: nil, statementTimeout: nil)
        var sawDir = false
        var toNode: Node?
        var dirNode: Node?
        for (k, v, _) in pairs {
            let p = "\(key).\(k)"
            switch k {
            case "dir":
                (sawDir, dirNode) = (true, v)
                if let d = reader.string(v, p) { spec.dir = requireFile(d, v, p, folder: true) }
            case "to":
                if let t = reader.string(v, p), t != "latest" { (spec.to, toNode) = (t, v) }
            case "lock_timeout": spec.lockTimeout = reader.duration(v, p)
            case "statement_timeout": spec.statementTimeout = reader.duration(v, p)
            case "verify_down": spec.verifyDown = verifyDown(v, p)
            case "transaction": spec.transaction = reader.choice(v, p, as: TransactionOverride.self)
            case "mixed": spec.mixed = reader.bool(v, p) ?? false
            default: break
            }
        }
        if !sawDir { reader.fail(node, "\(key).dir", "missing required key 'dir'") }
        checkMigrations(spec, toNode: toNode, dirNode: dirNode, key)
        return spec
    }

    private func verifyDown(_ node: Node, _ key: String) -> VerifyDown {
        guard let s = reader.scalar(node, key) else { return .off }
        switch s.lowercased() {
        case "true", "yes", "on", "first": return .first
        case "false", "no", "off": return .off
        case "all": return .all
        default:
            reader.fail(node, key, "expected true, false, first or all, found '\(s)'")
            return .off
        }
    }

    /// What can be told of the folder before anything runs: a `to:` naming no
    /// migration, a Flyway script Flyway would refuse. A folder that does not
    /// load is left to the step, which reports it the same way at run time.
    private func checkMigrations(_ spec: MigrateSpec, toNode: Node?, dirNode: Node?, _ key: String) {
        guard let migrations = try? MigrationLoader.load(dir: spec.dir).1 else { return }
        if let to = spec.to, let toNode {
            if MigrationPlan.last(to, in: migrations) == nil {
                let known = migrations.filter { !$0.repeatable }.map(\.version)
                var range = known.first.map { "it holds only \($0)" } ?? "it holds none"
                if known.count > 1, let first = known.first, let last = known.last { range = "it holds \(first) to \(last)" }
                reader.fail(toNode, "\(key).to", "no migration in \(spec.dir.lastPathComponent) has version '\(to)' (\(range))")
            }
        }
        if !spec.mixed, spec.transaction == nil, let problem = MigrationPlan.refusedMix(in: migrations) {
            reader.fail(dirNode, "\(key).dir", problem)
        }
    }

    func seed(_ node: Node, _ key: String) -> SeedSpec? {
        var spec = SeedSpec(tables: [], chunkRows: 10000, onMissingReference: .fail)
        var tableList: Node?
        var streams = SeedStreams.auto
        if case .sequence = node {
            tableList = node
        } else if let pairs = reader.mapping(node, key, allowed: ["tables", "chunk_rows", "on_missing_reference", "streams"]) {
            for (k, v, _) in pairs {
                let p = "\(key).\(k)"
                switch k {
                case "tables": tableList = v
                case "chunk_rows": spec.chunkRows = reader.int(v, p, min: 1, max: 10_000_000) ?? 10000
                case "on_missing_reference":
                    spec.onMissingReference = reader.choice(v, p, as: MissingReferencePolicy.self) ?? spec.onMissingReference
                case "streams": streams = seedStreams(v, p) ?? streams
                default: break
                }
            }
        } else {
            return nil
        }
        guard let tableList, let items = reader.list(tableList, key) else {
            reader.fail(node, key, "expected a list of {table, csv}")
            return nil
        }
        for (i, item) in items.enumerated() {
            let p = "\(key)[\(i + 1)]"
            let allowed = ["table", "csv", "chunk_rows", "on_missing_reference", "streams"]
            guard let pairs = reader.mapping(item, p, allowed: allowed) else { continue }
            var table: String?
            var csv: URL?
            var entryStreams = streams
            for (k, v, _) in pairs {
                switch k {
                case "table": table = reader.string(v, "\(p).table")
                case "csv": if let c = reader.string(v, "\(p).csv") { csv = requireFile(c, v, "\(p).csv") }
                case "chunk_rows": spec.chunkRows = reader.int(v, "\(p).chunk_rows", min: 1, max: 10_000_000) ?? spec.chunkRows
                case "on_missing_reference":
                    spec.onMissingReference =
                        reader.choice(v, "\(p).on_missing_reference", as: MissingReferencePolicy.self) ?? spec.onMissingReference
                case "streams": entryStreams = seedStreams(v, "\(p).streams") ?? entryStreams
                default: break
                }
            }
            guard let table, let csv else {
                reader.fail(item, p, "a seed entry needs `table` and `csv`")
                continue
            }
            spec.tables.append(.init(table: table, csv: csv, location: reader.location(item), streams: entryStreams))
        }
        return spec
    }

    /// `streams: auto | N`, N from 1 to 64.
    func seedStreams(_ node: Node, _ key: String) -> SeedStreams? {
        if case .scalar(let s) = node {
            if s.string == "auto" { return .auto }
            if Int(s.string) == nil {
                reader.fail(node, key, "expected auto or a number of streams, found '\(s.string)'")
                return nil
            }
        }
        return reader.int(node, key, min: 1, max: 64).map { .count($0) }
    }

    func backfill(_ node: Node, _ key: String) -> BackfillSpec? {
        let allowed = [
            "table", "set", "where", "batch_size", "pause", "skip_locked", "lock_timeout", "statement_timeout",
            "idle_in_transaction_timeout", "retries",
        ]
        guard let pairs = reader.mapping(node, key, allowed: allowed) else { return nil }
        var spec = BackfillSpec(
            table: "", set: "", whereClause: "", batchSize: 1000, pause: .zero, skipLocked: false, lockTimeout: nil,
            statementTimeout: nil, idleInTransactionTimeout: nil, retries: 3)
        var required = Set(["table", "set", "where"])
        for (k, v, _) in pairs {
            let p = "\(key).\(k)"
            required.remove(k)
            switch k {
            case "table": spec.table = reader.string(v, p) ?? ""
            case "set": spec.set = reader.string(v, p) ?? ""
            case "where": spec.whereClause = reader.string(v, p) ?? ""
            case "batch_size": spec.batchSize = reader.int(v, p, min: 1, max: 1_000_000) ?? 1000
            case "pause": spec.pause = reader.duration(v, p) ?? .zero
            case "skip_locked": spec.skipLocked = reader.bool(v, p) ?? false
            case "lock_timeout": spec.lockTimeout = reader.duration(v, p)
            case "statement_timeout": spec.statementTimeout = reader.duration(v, p)
            case "idle_in_transaction_timeout": spec.idleInTransactionTimeout = reader.duration(v, p)
            case "retries": spec.retries = reader.int(v, p, min: 0, max: 1000) ?? 3
            default: break
            }
        }
        for missing in required.sorted() { reader.fail(node, "\(key).\(missing)", "missing required key '\(missing)'") }
        return spec
    }

    func workload(_ node: Node, _ key: String) -> WorkloadSpec? {
        guard let pairs = reader.mapping(node, key, allowed: ["connections", "iterations", "duration", "rate", "transactions", "pipeline"])
        else { return nil }
        var spec = WorkloadSpec(connections: 1, length: nil, rate: nil, transactions: [], pipeline: 1)
        var sawIterations = false
        var sawTransactions = false
        for (k, v, _) in pairs {
            let p = "\(key).\(k)"
            switch k {
            case "connections": spec.connections = reader.int(v, p, min: 1, max: 1000) ?? 1
            case "iterations":
                sawIterations = true
                if let n = reader.int(v, p, min: 1, max: NumberRanges.maxIterations) { spec.length = .iterations(n) }
            case "duration":
                if sawIterations { reader.fail(v, p, "give `iterations` or `duration`, not both") }
                if let d = reader.duration(v, p) { spec.length = .duration(d) }
            case "rate":
                if let s = reader.scalar(v, p) {
                    switch Units.parseRate(s) {
                    case .success(let r): spec.rate = r
                    case .failure(let error): reader.fail(v, p, error.message)
                    }
                }
            case "pipeline": spec.pipeline = reader.int(v, p, min: 1, max: 1000) ?? 1
            case "transactions":
                sawTransactions = true
                spec.transactions = transactions(v, p)
            default: break
            }
        }
        if case .duration = spec.length, sawIterations,
            let durationIndex = pairs.firstIndex(where: { $0.key == "duration" }),
            let iterationsIndex = pairs.firstIndex(where: { $0.key == "iterations" }),
            durationIndex < iterationsIndex
        {
            reader.fail(node, "\(key).iterations", "give `iterations` or `duration`, not both")
        }
        if !sawTransactions { reader.fail(node, "\(key).transactions", "a workload needs at least one transaction") }
        if spec.pipeline > 1, let pipelinePair = pairs.first(where: { $0.key == "pipeline" }) {
            for tx in spec.transactions {
                if tx.pgbench != nil {
                    reader.fail(pipelinePair.node, "\(key).pipeline", "transaction '\(tx.name)': a pgbench script is not pipelined")
                }
                var sql: String?
                switch tx.sql {
                case .inline(let text): sql = text
                case .file(let url): sql = try? String(contentsOf: url, encoding: .utf8)  // a missing file is reported already
                }
                if let sql, let problem = StatementKind.pipelineProblem(sql) {
                    reader.fail(pipelinePair.node, "\(key).pipeline", "transaction '\(tx.name)': \(problem)")
                }
            }
        }
        return spec
    }

    func transactions(_ node: Node, _ key: String) -> [WorkloadSpec.Transaction] {
        guard let items = reader.list(node, key) else { return [] }
        if items.isEmpty { reader.fail(node, key, "a workload needs at least one transaction") }
        var result: [WorkloadSpec.Transaction] = []
        for (i, item) in items.enumerated() {
            let p = "\(key)[\(i + 1)]"
            guard let pairs = reader.mapping(item, p, allowed: ["name", "weight", "sql", "params", "pgbench", "scale"]) else {
                continue
            }
            var tx = WorkloadSpec.Transaction(name: "tx-\(i + 1)", weight: 1, sql: .inline(""), params: [])
            var sawSQL = false
            for (k, v, _) in pairs {
                switch k {
                case "name":
                    tx.name = reader.string(v, "\(p).name") ?? tx.name
                    if tx.name.range(of: "^[A-Za-z0-9_-]+$", options: .regularExpression) == nil
                        || ["impact", "predicted"].contains(tx.name)
                    {
                        reader.fail(v, "\(p).name", "'\(tx.name)' must use letters, digits, '-' or '_' and not be impact or predicted")
                    }
                case "weight": tx.weight = reader.int(v, "\(p).weight", min: 0, max: 1_000_000) ?? 1
                case "sql":
                    sawSQL = true
                    if let s = sqlSource(v, "\(p).sql") { tx.sql = s }
                case "params": tx.params = params(v, "\(p).params")
                case "pgbench": tx.pgbench = pgbenchFile(v, "\(p).pgbench")
                case "scale": tx.scale = Int64(reader.int(v, "\(p).scale", min: 1, max: 1_000_000) ?? 1)
                default: break
                }
            }
            pgbenchRules(pairs, item, p, sawSQL: sawSQL)
            result.append(tx)
        }
        if !result.isEmpty && result.allSatisfy({ $0.weight == 0 }) {
            reader.fail(node, key, "at least one transaction needs a weight above 0")
        }
        return result
    }

    func params(_ node: Node, _ key: String) -> [ParamGenerator] {
        guard let items = reader.list(node, key) else { return [] }
        var result: [ParamGenerator] = []
        for (i, item) in items.enumerated() {
            let p = "\(key)[\(i + 1)]"
            if case .scalar(let s) = item {
                result.append(.constant(s.string))
                continue
            }
            guard let pairs = reader.mapping(item, p, allowed: ["random_int", "pick", "sequence", "value"]), pairs.count == 1 else {
                reader.fail(item, p, "a parameter is one of {random_int: [low, high]}, {pick: [a, b]}, {sequence: start}, {value: x}")
                continue
            }
            let (k, v, _) = pairs[0]
            switch k {
            case "random_int":
                guard let bounds = reader.stringList(v, "\(p).random_int"), bounds.count == 2, let lo = Int64(bounds[0]),
                    let hi = Int64(bounds[1]), lo <= hi
                else {
                    reader.fail(v, "\(p).random_int", "expected [low, high] with low <= high")
                    continue
                }
                result.append(.randomInt(lo, hi))
            case "pick":
                guard let values = reader.stringList(v, "\(p).pick"), !values.isEmpty else {
                    reader.fail(v, "\(p).pick", "expected a non-empty list")
                    continue
                }
                result.append(.pick(values))
            case "sequence":
                guard let start = reader.scalar(v, "\(p).sequence").flatMap({ Int64($0) }) else {
                    reader.fail(v, "\(p).sequence", "expected a whole number to start from")
                    continue
                }
                result.append(.sequence(start))
            case "value":
                if let s = reader.scalar(v, "\(p).value") { result.append(.constant(s)) }
            default: break
            }
        }
        return result
    }

    func run(_ node: Node, _ key: String) -> RunSpec? {
        var command: [String] = []
        var environment: [String: String] = [:]
        switch node {
        case .scalar(let s): command = s.string.split(whereSeparator: \.isWhitespace).map(String.init)
        case .sequence: command = reader.stringList(node, key) ?? []
        case .mapping:
            guard let pairs = reader.mapping(node, key, allowed: ["command", "env"]) else { return nil }
            for (k, v, _) in pairs {
                if k == "command" {
                    if case .scalar(let s) = v {
                        command = s.string.split(whereSeparator: \.isWhitespace).map(String.init)
                    } else {
                        command = reader.stringList(v, "\(key).command") ?? []
                    }
                } else if k == "env" {
                    for (name, value, _) in reader.mapping(v, "\(key).env", allowed: []) ?? [] {
                        environment[name] = reader.scalar(value, "\(key).env.\(name)")
                    }
                }
            }
        case .alias: return nil
        }
        guard let first = command.first, !first.isEmpty else {
            reader.fail(node, key, "expected a command: a list like [\"./seed.sh\", \"--size=small\"]")
            return nil
        }
        if first.hasPrefix("./") || first.hasPrefix("../") {
            let before = reader.errors.count
            let url = requireFile(first, node, key)
            if reader.errors.count == before && !FileManager.default.isExecutableFile(atPath: url.path) {
                reader.fail(node, key, "'\(first)' is not executable (chmod +x it)")
            }
        }
        return RunSpec(command: command, environment: environment, workingDirectory: directory)
    }
}
