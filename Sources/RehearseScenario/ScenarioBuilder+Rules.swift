import Foundation
import Yams
import RehearseSupport

/// Faults, checks, targets, rollback and expect.
extension ScenarioBuilder {
    func faults(_ node: Node) -> [Fault] {
        guard let items = reader.list(node, "faults") else { return [] }
        var result: [Fault] = []
        for (i, item) in items.enumerated() {
            let p = "faults[\(i + 1)]"
            guard let pairs = reader.mapping(item, p, allowed: ["lock", "memory_cap", "missing_seed"]), pairs.count == 1 else {
                if case .mapping = item { reader.fail(item, p, "a fault is exactly one of lock, memory_cap, missing_seed") }
                continue
            }
            let (kind, body, _) = pairs[0]
            let k = "\(p).\(kind)"
            let location = reader.location(item)
            switch kind {
            case "lock": if let f = lock(body, k) { result.append(Fault(kind: .lock(f), location: location)) }
            case "memory_cap":
                guard let fields = reader.mapping(body, k, allowed: ["server", "step", "limit", "required"]) else { continue }
                let map = Dictionary(fields.map { ($0.key, $0.node) }, uniquingKeysWith: { a, _ in a })
                let required = map["required"].flatMap { reader.bool($0, "\(k).required") } ?? true
                if let server = map["server"] {
                    if map["step"] != nil || map["limit"] != nil {
                        reader.fail(body, k, "give {server: size} or {step: name, limit: size}, not both")
                    }
                    if let bytes = reader.size(server, "\(k).server") {
                        result.append(Fault(kind: .memoryCapServer(bytes: bytes), location: location, required: required))
                    }
                } else if let step = map["step"], let limit = map["limit"] {
                    if let name = reader.string(step, "\(k).step"), let bytes = reader.size(limit, "\(k).limit") {
                        result.append(Fault(kind: .memoryCapStep(step: name, bytes: bytes), location: location, required: required))
                    }
                } else {
                    reader.fail(body, k, "expected {server: 512MB} or {step: name, limit: 256MB}")
                }
            case "missing_seed":
                guard let fields = reader.mapping(body, k, allowed: ["table", "column", "values", "fraction", "random_seed"]) else {
                    continue
                }
                let map = Dictionary(fields.map { ($0.key, $0.node) }, uniquingKeysWith: { a, _ in a })
                guard let tableNode = map["table"], let table = reader.string(tableNode, "\(k).table") else {
                    reader.fail(body, "\(k).table", "missing required key 'table'")
                    continue
                }
                if let column = map["column"], let values = map["values"] {
                    if map["fraction"] != nil { reader.fail(body, k, "give column+values or fraction, not both") }
                    if let c = reader.string(column, "\(k).column"), let v = reader.stringList(values, "\(k).values") {
                        result.append(
                            Fault(kind: .missingSeed(.init(table: table, selection: .values(column: c, values: v))), location: location))
                    }
                } else if let fraction = map["fraction"] {
                    let seed = map["random_seed"].flatMap { reader.int($0, "\(k).random_seed", min: 0) } ?? 0
                    if let f = reader.fraction(fraction, "\(k).fraction") {
                        result.append(
                            Fault(
                                kind: .missingSeed(.init(table: table, selection: .fraction(f, randomSeed: UInt64(seed)))),
                                location: location))
                    }
                } else {
                    reader.fail(body, k, "expected {column, values} or {fraction, random_seed}")
                }
            default: break
            }
        }
        return result
    }

    func lock(_ node: Node, _ key: String) -> LockFault? {
        guard
            let pairs = reader.mapping(
                node, key, allowed: ["table", "mode", "rows", "advisory", "during", "after", "hold", "idle_in_transaction"])
        else { return nil }
        let map = Dictionary(pairs.map { ($0.key, $0.node) }, uniquingKeysWith: { a, _ in a })
        guard let duringNode = map["during"], let during = reader.string(duringNode, "\(key).during") else {
            reader.fail(node, "\(key).during", "missing required key 'during' (the step the lock is held during)")
            return nil
        }
        let target: LockFault.Target
        let forms = ["mode", "rows", "advisory"].filter { map[$0] != nil }
        if forms.count > 1 {
            reader.fail(node, key, "a lock is one of {table, mode}, {table, rows} or {advisory}; found \(forms.joined(separator: " and "))")
            return nil
        }
        if let advisory = map["advisory"] {
            guard let n = reader.scalar(advisory, "\(key).advisory").flatMap({ Int64($0) }) else {
                reader.fail(advisory, "\(key).advisory", "expected a whole-number advisory lock key")
                return nil
            }
            target = .advisory(n)
        } else {
            guard let tableNode = map["table"], let table = reader.string(tableNode, "\(key).table") else {
                reader.fail(node, "\(key).table", "missing required key 'table'")
                return nil
            }
            if let rows = map["rows"] {
                guard let predicate = reader.string(rows, "\(key).rows") else { return nil }
                target = .rows(table: table, predicate: predicate)
            } else {
                let modeText = map["mode"].flatMap { reader.scalar($0, "\(key).mode") } ?? "access_exclusive"
                guard let mode = LockMode(rawValue: modeText) else {
                    reader.fail(
                        map["mode"], "\(key).mode",
                        "unknown lock mode '\(modeText)' (one of \(LockMode.allCases.map(\.rawValue).joined(separator: ", ")))")
                    return nil
                }
                target = .table(table, mode: mode)
            }
        }
        return LockFault(
            target: target, during: during,
            after: map["after"].flatMap { reader.duration($0, "\(key).after") } ?? .zero,
            hold: map["hold"].flatMap { reader.duration($0, "\(key).hold") },
            idleInTransaction: map["idle_in_transaction"].flatMap { reader.bool($0, "\(key).idle_in_transaction") } ?? false)
    }

    func checks(_ node: Node) -> [Check] {
        guard let items = reader.list(node, "checks") else { return [] }
        var result: [Check] = []
        for (i, item) in items.enumerated() {
            let p = "checks[\(i + 1)]"
            guard let pairs = reader.mapping(item, p, allowed: ["name", "row_count", "query", "schema", "expect", "expect_error"]) else {
                continue
            }
            let map = Dictionary(pairs.map { ($0.key, $0.node) }, uniquingKeysWith: { a, _ in a })
            guard let nameNode = map["name"], let name = reader.string(nameNode, "\(p).name") else {
                reader.fail(item, "\(p).name", "missing required key 'name'")
                continue
            }
            let kinds = ["row_count", "query", "schema"].compactMap { kind in map[kind].map { (kind: kind, node: $0) } }
            guard kinds.count == 1 else {
                reader.fail(
                    item, p, kinds.isEmpty ? "a check needs one of row_count, query, schema" : "a check has one of row_count, query, schema"
                )
                continue
            }
            let location = reader.location(item)
            let kindNode = kinds[0].node
            switch kinds[0].kind {
            case "row_count":
                guard let table = reader.string(kindNode, "\(p).row_count") else { continue }
                guard let e = map["expect"] else { reader.fail(item, "\(p).expect", "a row_count check needs `expect`"); continue }
                if let exp = expectation(e, "\(p).expect") {
                    result.append(Check(name: name, kind: .rowCount(table: table, expect: exp), location: location))
                }
            case "query":
                guard let sql = reader.string(kindNode, "\(p).query") else { continue }
                if let errorNode = map["expect_error"] {
                    if map["expect"] != nil { reader.fail(errorNode, "\(p).expect_error", "give `expect` or `expect_error`, not both") }
                    guard let state = reader.scalar(errorNode, "\(p).expect_error"),
                        state.range(of: "^[0-9A-Z]{5}$", options: .regularExpression) != nil
                    else {
                        reader.fail(errorNode, "\(p).expect_error", "expected a five-character SQLSTATE such as 23514")
                        continue
                    }
                    result.append(Check(name: name, kind: .expectError(sql: sql, sqlstate: state), location: location))
                } else if let e = map["expect"] {
                    if let exp = expectation(e, "\(p).expect") {
                        result.append(Check(name: name, kind: .query(sql: sql, expect: exp), location: location))
                    }
                } else {
                    reader.fail(item, "\(p).expect", "a query check needs `expect` or `expect_error`")
                }
            case "schema":
                let s = kindNode
                guard let fields = reader.mapping(s, "\(p).schema", allowed: ["table", "columns"]) else { continue }
                let fmap = Dictionary(fields.map { ($0.key, $0.node) }, uniquingKeysWith: { a, _ in a })
                guard let t = fmap["table"], let table = reader.string(t, "\(p).schema.table"), let c = fmap["columns"] else {
                    reader.fail(s, "\(p).schema", "expected {table: t, columns: {name: type}}")
                    continue
                }
                var columns: [(name: String, type: String)] = []
                for (col, typeNode, _) in reader.mapping(c, "\(p).schema.columns", allowed: []) ?? [] {
                    if let type = reader.string(typeNode, "\(p).schema.columns.\(col)") { columns.append((col, type)) }
                }
                result.append(Check(name: name, kind: .schema(table: table, columns: columns), location: location))
            default: break
            }
        }
        return result
    }

    func expectation(_ node: Node, _ key: String) -> Check.Expectation? {
        if case .scalar(let s) = node { return .equals(s.string) }
        guard let pairs = reader.mapping(node, key, allowed: ["<", "<=", ">", ">=", "=", "between"]), pairs.count == 1 else {
            reader.fail(node, key, "expected a value, {\">=\": n}, or {between: [low, high]}")
            return nil
        }
        let (op, v, _) = pairs[0]
        guard let comparison = ComparisonOperator(rawValue: op) else {
            // `between`, the one allowed key that is not an operator
            guard let bounds = reader.stringList(v, "\(key).between"), bounds.count == 2,
                let lo = Units.number(Substring(bounds[0])), let hi = Units.number(Substring(bounds[1]))
            else {
                reader.fail(v, "\(key).between", "expected [low, high], two finite numbers")
                return nil
            }
            return .between(lo, hi)
        }
        guard let s = reader.scalar(v, "\(key).\(op)"), let n = Units.number(Substring(s)) else {
            reader.fail(v, "\(key).\(op)", "expected a finite number")
            return nil
        }
        return .compare(comparison, n)
    }

    func targets(_ node: Node) -> [TargetGroup] {
        var result: [TargetGroup] = []
        for (step, list, keyNode) in reader.mapping(node, "targets", allowed: []) ?? [] {
            // `deploy.impact`, `ingest.insert_posts` (a transaction), or a step: step and
            // transaction names contain no `.`.
            let parts = step.split(separator: ".", maxSplits: 1).map(String.init)
            let impact = parts.count == 2 && parts[1] == "impact"
            var group = TargetGroup(step: parts.first ?? step, impact: impact, targets: [])
            if parts.count == 2 && !impact { group.transaction = parts[1] }
            let items: [Node] = {
                if case .scalar = list { return [list] }
                return reader.list(list, "targets.\(step)") ?? []
            }()
            for (i, item) in items.enumerated() {
                guard let text = reader.string(item, "targets.\(step)[\(i + 1)]") else { continue }
                switch TargetParser.parse(text, location: reader.location(item)) {
                case .success(let t): group.targets.append(t)
                case .failure(let error): reader.fail(item, "targets.\(step)[\(i + 1)]", error.message)
                }
            }
            _ = keyNode
            result.append(group)
        }
        return result
    }

    func rollback(_ node: Node) -> Rollback? {
        guard let pairs = reader.mapping(node, "rollback", allowed: ["when", "via", "to", "verify", "checks"]) else { return nil }
        var plan = Rollback(
            when: .onBlocked, via: .down, to: nil, verify: [.schema, .data, .checks], checks: nil, location: reader.location(node))
        for (k, v, _) in pairs {
            let p = "rollback.\(k)"
            switch k {
            case "when": plan.when = reader.choice(v, p, as: Rollback.When.self) ?? plan.when
            case "via": plan.via = reader.choice(v, p, as: Rollback.Via.self) ?? plan.via
            case "to": plan.to = reader.string(v, p)
            case "verify":
                plan.verify = (reader.list(v, p) ?? []).enumerated().compactMap { i, item in
                    reader.choice(item, "\(p)[\(i + 1)]", as: Rollback.Verify.self)
                }
            case "checks": plan.checks = reader.stringList(v, p)
            default: break
            }
        }
        return plan
    }

    func expect(_ node: Node) -> Expectation {
        var e = Expectation()
        for (k, v, _) in reader.mapping(node, "expect", allowed: ["verdict", "failed_checks", "step_errors", "rollback"]) ?? [] {
            let p = "expect.\(k)"
            switch k {
            case "verdict": e.verdict = reader.choice(v, p, as: Verdict.self) ?? e.verdict
            case "failed_checks": e.failedChecks = reader.stringList(v, p)
            case "step_errors":
                var map: [String: String] = [:]
                for (step, state, _) in reader.mapping(v, p, allowed: []) ?? [] {
                    if let s = reader.scalar(state, "\(p).\(step)") {
                        if s.range(of: "^[0-9A-Z]{5}$", options: .regularExpression) == nil {
                            reader.fail(state, "\(p).\(step)", "expected a five-character SQLSTATE such as 55P03")
                        }
                        map[step] = s
                    }
                }
                e.stepErrors = map
            case "rollback":
                if let s = reader.scalar(v, p) {
                    if let status = RollbackStatus(rawValue: s) {
                        e.rollback = status
                    } else {
                        reader.fail(v, p, "expected passed, failed or not_run")
                    }
                }
            default: break
            }
        }
        return e
    }
}
