import RehearseHistogram
import RehearseResults
import RehearseScenario
import RehearseSupport
import RehearseVerdict

/// Turns what a repetition measured into its results, without I/O: each step's result and
/// metrics (with locks, memory peaks and its impact on background traffic), the faults'
/// outcomes, and the verdict. Unit tests call it with measurements built in code.
enum RepetitionAssembly {
    /// What the driver read of a server memory cap when the steps were done.
    struct ServerCapReading: Sendable {
        var enforcement: String
        var peakBytes: Int64?
        var oomKills: Int
    }

    struct Steps {
        var results: [StepResult] = []
        var metrics: [String: StepMetrics] = [:]
        /// For a foreground step: what it did to the background workload beside it.
        var impacts: [String: StepMetrics] = [:]
    }

    /// The step results in the scenario's order, with the metrics targets are judged on.
    static func steps(
        of scenario: Scenario, records: [String: StepRecord], locks: LockObserver.Observation?,
        memory: [MemorySampler.Sample], sliced: Bool = false
    ) -> Steps {
        var out = Steps()
        let backgroundSteps = scenario.steps.filter(\.background).compactMap { s -> (Step, StepRecord)? in
            records[s.name].map { (s, $0) }
        }
        for step in scenario.steps {
            guard let done = records[step.name] else { continue }
            let windowed = scenario.targets.contains { $0.step == step.name && $0.targets.contains { $0.window != nil } }
            // A load slice's seconds are summed with the other slices' by `merge`.
            var result = result(of: step, done, timelineHistograms: windowed || sliced)
            result.work = done.work
            if let locks {
                let sampled = LockObserver.locksTaken(locks, owner: .step(step.name))
                result.locksTaken = LockObserver.merge(exact: done.measurement.exactLocks, sampled: sampled)
                result.lockWaitMaxMs = locks.longestWait[.step(step.name)] ?? 0
            } else if !done.measurement.exactLocks.isEmpty {
                result.locksTaken = done.measurement.exactLocks
            }
            if done.status != .skipped {
                let peaks = MemorySampler.peaks(memory, from: done.started, to: done.ended)
                result.serverMemoryPeak = peaks.server
                if case .run = step.kind {} else { result.clientMemoryPeak = peaks.client }
            }
            // The impact of this step on background traffic that ran beside it.
            if !step.background, done.status != .skipped {
                for (bgStep, bgDone) in backgroundSteps where bgDone.started <= done.started && bgDone.ended >= done.started {
                    guard let workload = bgDone.measurement.workload else { continue }
                    let (impact, histogram, batches) = workload.impact(
                        from: Int64(done.started / 1000), to: Int64(done.ended / 1000), step: bgStep.name)
                    result.impact = impact
                    var m = StepMetrics()
                    m.latency = histogram
                    m.batches = batches
                    m.errors = impact.errors
                    m.durationsMs = [done.durationMs]
                    out.impacts[step.name] = m
                }
            }
            out.metrics[step.name] = metrics(of: step, done, result: result, scenario: scenario)
            out.results.append(result)
        }
        return out
    }

    private static func metrics(of step: Step, _ done: StepRecord, result: StepResult, scenario: Scenario) -> StepMetrics {
        var m = StepMetrics()
        m.latency = done.measurement.latency
        m.durationsMs = [done.durationMs]
        m.batches = done.measurement.batches
        m.errors = done.measurement.errorCount
        m.rows = [done.measurement.rows]
        m.serverMemoryPeak = result.serverMemoryPeak
        m.clientMemoryPeak = result.clientMemoryPeak ?? done.measurement.clientMemoryPeak
        if let workload = done.measurement.workload {
            m.addTransactions(of: workload)
            // The seconds in compact form, only where an `over` target will read them.
            if scenario.targets.contains(where: { $0.step == step.name && $0.targets.contains { $0.window != nil } }) {
                m.timelines = [workload.mergedSeconds()]
            }
        }
        return m
    }

    static func result(of step: Step, _ done: StepRecord, timelineHistograms: Bool = false) -> StepResult {
        let m = done.measurement
        var result = StepResult(
            name: step.name, kind: step.kind.name, status: done.status, error: m.failure,
            durationMs: (Double(done.ended - done.started) / 1e3).rounded() / 1e3,
            startedMs: done.status == .skipped ? nil : (Double(done.started) / 1e3).rounded() / 1e3,
            batches: m.batches, rows: m.rows, rowsSkipped: m.rowsSkipped, rowsRemaining: m.rowsRemaining,
            errors: m.errors, latencyMs: m.latency.summary, histogram: m.latency.count > 0 ? m.latency.encoded() : nil)
        result.clientMemoryPeak = m.clientMemoryPeak
        result.migrations = m.migrations
        result.exitCode = m.exitCode
        result.output = m.output
        result.skippedRows = m.skippedRows
        result.tables = m.synthesized
        result.startedAt = m.wallStart.map { MachineFacts.timestamp($0) }
        if step.background { result.background = true }
        if let w = m.workload {
            result.timeline = w.timeline(histograms: timelineHistograms)
            result.transactions = w.transactions
            if w.open {
                result.serviceMs = w.service.summary
                result.lagMs = w.lag.summary
            }
        }
        return result
    }

    /// Fills in, for each lock fault, the sessions that waited on its holder (`pending`:
    /// the fault's index in `faults` and its holder's pid).
    static func addWaiters(to faults: inout [FaultResult], pending: [(index: Int, pid: Int32)], locks: LockObserver.Observation?) {
        for (index, pid) in pending {
            let waiters = locks?.waitersOf[pid] ?? [:]
            faults[index].observed["sessions_waited"] = .number(Double(waiters.count))
            faults[index].observed["longest_wait_ms"] = .number(waiters.values.max() ?? 0)
            faults[index].observed["total_wait_ms"] = .number(waiters.values.reduce(0, +))
            faults[index].observed.removeValue(forKey: "holder_pid")
        }
    }

    /// Missing-seed and memory faults: what the steps reported about them. `serverCap`: what
    /// the driver read of the server's cap, nil when the server has none.
    static func staticFaults(of scenario: Scenario, records: [String: StepRecord], serverCap: ServerCapReading?) -> [FaultResult] {
        var results: [FaultResult] = []
        for fault in scenario.faults {
            switch fault.kind {
            case .missingSeed(let m):
                let observed = records.values.compactMap { $0.measurement.missingSeed[m.table] }.first
                // Applied only when it left a row out: a selection that matches no row of the
                // CSV changed nothing.
                let reason =
                    observed == nil
                    ? "no seed step loaded \(m.table)"
                    : observed?.removed == 0 ? "no row of the CSV loaded into \(m.table) matches it" : nil
                results.append(
                    FaultResult(
                        kind: "missing_seed", target: m.table, during: nil, applied: reason == nil, reason: reason,
                        startedMs: observed?.startedMs, endedMs: observed?.endedMs, enforcement: nil,
                        observed: observed.map {
                            ["rows_removed": .number(Double($0.removed)), "keys": .array($0.keys.map { .string($0) })]
                        } ?? [:]))
            case .memoryCapServer(let bytes):
                results.append(
                    FaultResult(
                        kind: "memory_cap", target: "server", during: nil, applied: serverCap != nil,
                        reason: serverCap == nil ? "a server memory cap needs the embedded server" : nil, startedMs: 0, endedMs: nil,
                        enforcement: serverCap?.enforcement,
                        observed: [
                            "limit_bytes": .number(Double(bytes)), "peak_bytes": serverCap?.peakBytes.map { .number(Double($0)) } ?? .null,
                            "oom_kills": .number(Double(serverCap?.oomKills ?? 0)),
                        ]))
            case .memoryCapStep(let step, let bytes):
                let done = records[step]
                var result = FaultResult(
                    kind: "memory_cap", target: step, during: step, applied: false, reason: nil,
                    startedMs: done.map { Double($0.started) / 1e6 }, endedMs: done.map { Double($0.ended) / 1e6 },
                    enforcement: nil,
                    observed: [
                        "limit_bytes": .number(Double(bytes)),
                        "peak_bytes": done?.measurement.clientMemoryPeak.map { .number(Double($0)) } ?? .null,
                    ])
                switch done?.measurement.memoryCap {
                case .enforced(let how):
                    result.applied = true
                    result.enforcement = how
                case .notApplied(let reason): result.reason = reason
                case nil: result.reason = "step '\(step)' did not run"
                }
                results.append(result)
            case .lock: break
            }
        }
        return results
    }

    /// Blocked when a step failed, a check failed or a target was missed; the reasons say which.
    static func verdict(steps: [StepResult], checks: [CheckResult], targets: [TargetResult]) -> (Verdict, [String]) {
        let reasons = BlockingReasons.reasons(steps: steps, checks: checks, targets: targets)
        return (reasons.isEmpty ? .approved : .blocked, reasons)
    }
}
