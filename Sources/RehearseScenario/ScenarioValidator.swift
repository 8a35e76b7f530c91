/// Checks what only the whole scenario can tell: names that refer to other parts.
struct ScenarioValidator {
    let reader: YAMLReader

    func validate(_ scenario: Scenario) {
        var stepIndex: [String: Int] = [:]
        for (i, step) in scenario.steps.enumerated() {
            if stepIndex[step.name] != nil {
                reader.fail(at: step.location, "steps[\(i + 1)].name", "duplicate step name '\(step.name)'")
            }
            stepIndex[step.name] = i
        }
        let stepNames = scenario.steps.map(\.name)
        func unknownStep(_ name: String) -> String {
            let hint = YAMLReader.suggestion(for: name, among: stepNames).map { " (did you mean '\($0)'?)" } ?? ""
            return "no step is named '\(name)'\(hint)"
        }
        for (i, step) in scenario.steps.enumerated() where step.background {
            guard let until = step.until else { continue }
            guard let j = stepIndex[until] else {
                reader.fail(path: "steps[\(i + 1)].until", unknownStep(until))
                continue
            }
            if j <= i { reader.fail(path: "steps[\(i + 1)].until", "'\(until)' must come after the background step") }
        }
        var checkNames = Set<String>()
        for (i, check) in scenario.checks.enumerated() where !checkNames.insert(check.name).inserted {
            reader.fail(at: check.location, "checks[\(i + 1)].name", "duplicate check name '\(check.name)'")
        }
        let snapshots = scenario.steps.compactMap { step -> String? in
            if case .snapshot(let name) = step.kind { return name } else { return nil }
        }
        var snapshotNames = Set<String>()
        for (i, step) in scenario.steps.enumerated() {
            guard case .snapshot(let name) = step.kind, !snapshotNames.insert(name).inserted else { continue }
            reader.fail(at: step.location, "steps[\(i + 1)].snapshot", "duplicate snapshot name '\(name)'")
        }
        let seeded = Set(
            scenario.steps.flatMap { step -> [String] in
                if case .seed(let spec) = step.kind { return spec.tables.map(\.table) } else { return [] }
            })
        for (i, fault) in scenario.faults.enumerated() {
            let p = "faults[\(i + 1)]"
            switch fault.kind {
            case .lock(let lock):
                if stepIndex[lock.during] == nil { reader.fail(path: "\(p).lock.during", unknownStep(lock.during)) }
                if let hold = lock.hold, hold <= .zero { reader.fail(path: "\(p).lock.hold", "must be longer than 0") }
            case .memoryCapStep(let step, _):
                guard let j = stepIndex[step] else {
                    reader.fail(path: "\(p).memory_cap.step", unknownStep(step))
                    continue
                }
                switch scenario.steps[j].kind {
                case .run, .seed, .backfill, .workload: break
                default: reader.fail(path: "\(p).memory_cap.step", "a step memory cap applies to run, seed, backfill or workload steps")
                }
            case .missingSeed(let m):
                if !seeded.contains(m.table) {
                    reader.fail(path: "\(p).missing_seed.table", "no seed step loads table '\(m.table)'")
                }
            case .memoryCapServer: break
            }
        }
        let backgrounds = scenario.steps.filter(\.background).map(\.name)
        for group in scenario.targets {
            let key = group.label
            guard let index = stepIndex[group.step] else {
                reader.fail(path: "targets.\(key)", unknownStep(group.step))
                continue
            }
            if group.impact && backgrounds.isEmpty {
                reader.fail(path: "targets.\(key)", "impact targets need a background workload step")
            }
            validateTransactionAndWindows(group, step: scenario.steps[index])
        }
        if let rollback = scenario.rollback {
            if let to = rollback.to, !snapshots.contains(to) {
                let hint = YAMLReader.suggestion(for: to, among: snapshots).map { " (did you mean '\($0)'?)" } ?? ""
                reader.fail(path: "rollback.to", "no snapshot step is named '\(to)'\(hint)")
            }
            if rollback.via == .restore && rollback.to == nil {
                reader.fail(path: "rollback.via", "restore needs `to:` naming a snapshot step")
            }
            // A restore snapshot is copied with CREATE DATABASE … TEMPLATE, which needs the
            // database to itself: every other session is closed for it, and background
            // traffic would lose its connections.
            if rollback.via == .restore, let to = rollback.to,
                let k = scenario.steps.firstIndex(where: { if case .snapshot(to) = $0.kind { true } else { false } })
            {
                for (i, step) in scenario.steps.enumerated() where step.background && i < k {
                    let j = scenario.stoppingStep(of: step).flatMap { stepIndex[$0] } ?? scenario.steps.count - 1
                    guard k <= j else { continue }
                    reader.fail(
                        path: "rollback.to",
                        "snapshot '\(to)' is copied for the restore, which needs the database to itself, but background "
                            + "workload '\(step.name)' runs beside it: take the snapshot before '\(step.name)' starts")
                }
                for (i, fault) in scenario.faults.enumerated() {
                    guard case .lock(let lock) = fault.kind, lock.during == scenario.steps[k].name else { continue }
                    reader.fail(
                        path: "faults[\(i + 1)].lock.during",
                        "step '\(lock.during)' copies snapshot '\(to)' for the restore, which closes every other session, "
                            + "the lock's holder too")
                }
            }
            if rollback.to == nil && (rollback.verify.contains(.schema) || rollback.verify.contains(.data)) {
                reader.fail(path: "rollback", "verifying schema or data needs `to:` naming a snapshot step")
            }
            for (i, name) in (rollback.checks ?? []).enumerated() where !checkNames.contains(name) {
                reader.fail(path: "rollback.checks[\(i + 1)]", "no check is named '\(name)'")
            }
            if rollback.via == .down, !scenario.steps.contains(where: { if case .migrate = $0.kind { true } else { false } }) {
                reader.fail(path: "rollback.via", "rolling back through down scripts needs a migrate step")
            }
        }
        for name in scenario.expect.failedChecks ?? [] where !checkNames.contains(name) {
            reader.fail(path: "expect.failed_checks", "no check is named '\(name)'")
        }
        for step in (scenario.expect.stepErrors ?? [:]).keys.sorted() where stepIndex[step] == nil {
            reader.fail(path: "expect.step_errors.\(step)", unknownStep(step))
        }
        validateSweep(scenario)
    }
}

extension ScenarioValidator {
    /// A transaction's targets need a workload with that transaction; a window needs the
    /// per-second timeline, which only a workload step keeps, for the whole step.
    func validateTransactionAndWindows(_ group: TargetGroup, step: Step) {
        let key = "targets.\(group.label)"
        var transactions: [String]?
        if case .workload(let spec) = step.kind { transactions = spec.transactions.map(\.name) }
        if let transaction = group.transaction {
            guard let names = transactions else {
                reader.fail(
                    path: key, "'\(group.step)' is a \(step.kind.name) step: only a workload's transactions have targets of their own")
                return
            }
            if !names.contains(transaction) {
                let hint = YAMLReader.suggestion(for: transaction, among: names).map { " (did you mean '\($0)'?)" } ?? ""
                reader.fail(path: key, "workload '\(group.step)' has no transaction named '\(transaction)'\(hint)")
            }
        }
        for target in group.targets where target.window != nil {
            if group.impact || group.transaction != nil {
                reader.fail(
                    at: target.location, key,
                    "`over` windows are judged on a workload step's own timeline, which is not kept per transaction or for an impact; put the target on '\(group.step)'"
                )
            } else if transactions == nil {
                reader.fail(
                    at: target.location, key,
                    "'\(group.step)' is a \(step.kind.name) step: `over` windows need the per-second timeline only a workload step keeps")
            }
        }
    }
}
