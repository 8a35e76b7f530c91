import Foundation
import PostgresClient
import RehearseScenario
import RehearseResults
import RehearseSupport
import RehearseHistogram

/// Runs one repetition of a scenario on a fresh database: the steps (with
/// background workloads and faults beside them), the checks, the targets and
/// the rollback.
struct RepetitionRunner: Sendable {
    let scenario: Scenario
    let host: any DatabaseHost
    let template: String
    let database: String
    let progress: ProgressReporter?
    /// The default per-step timeout, enforced by cancelling the step's statements.
    let stepTimeout: Duration

    struct Outcome: Sendable {
        var result: RepetitionResult
        var metrics: [String: StepMetrics]
        var impacts: [String: StepMetrics]
        /// Why the repetition could not be run as the scenario asks (exit 3), when it could not.
        var infrastructureFailure: String?
    }

    private struct Background {
        var step: Step
        var index: Int
        var stop: StopSignal
        var task: Task<StepMeasurement, Never>
        var until: String
        var started: UInt64
        /// Lock faults `during` this step: held while it runs, released when it stops.
        var lockRunners: [LockFaultRunner]
        /// Its own `timeout:`, if it has one, abandons it (the run's default does not
        /// apply: traffic runs for as long as the deploy beside it).
        var timer: Task<Void, any Error>?
    }

    private struct Finished {
        var measurement: StepMeasurement
        var started: UInt64
        var ended: UInt64
        var status: String
        var work: WorkCounters? = nil
    }

    func run() async -> Outcome {
        let sessions = SessionDirectory()
        let snapshots = SnapshotStore()
        let boundaries = StepBoundaries()
        let origin = monotonicNanos()
        var finished: [String: Finished] = [:]
        var faultResults: [FaultResult] = []
        var backgrounds: [Background] = []
        var stopped = false
        var infrastructureFailure: String?
        var pendingLockObservations: [(Int, Int32)] = []
        let conninfo = host.conninfo(database: database)
        /// A step's lock faults, done: their results, and the holders whose waiters the
        /// lock observation fills in at the end.
        func record(_ locks: [(FaultResult, Int32)]) {
            for (result, pid) in locks {
                faultResults.append(result)
                pendingLockObservations.append((faultResults.count - 1, pid))
            }
        }

        let observer: LockObserver? = LockObserver.start(conninfo: conninfo, sessions: sessions, origin: origin)
        let sampler = MemorySampler(serverPID: host.serverPID, origin: origin)
        let meter = await WorkMeter.open(host: host, database: database)
        let restoreSnapshots = Set(scenario.rollback.flatMap { $0.via == .restore ? $0.to : nil }.map { [$0] } ?? [])

        for (index, step) in scenario.steps.enumerated() {
            if stopped || Task.isCancelled {
                finished[step.name] = Finished(measurement: StepMeasurement(), started: 0, ended: 0, status: "skipped")
                // A fault tied to a step that did not run was not applied, and says why.
                let why = stopped ? "an earlier step failed and stopped the run" : "the run was interrupted"
                for lock in lockFaults(during: step) {
                    faultResults.append(notApplied(lock, reason: "step '\(step.name)' did not run: \(why)"))
                }
                continue
            }
            let context = makeContext(
                step: step, sessions: sessions, snapshots: snapshots, boundaries: boundaries, origin: origin)
            // Faults tied to this step start now; with `after: 0` the lock is held before the step begins.
            let (lockRunners, notStarted) = await startLockFaults(during: step, context: context)
            faultResults += notStarted
            if step.background, case .workload(let spec) = step.kind {
                let stop = StopSignal()
                let task = Task { await Workload.run(spec, context: context, stop: stop) }
                // A lock `during` the workload lasts as long as the workload, also when it
                // ends by itself (its iterations or duration done) before its `until` step.
                if !lockRunners.isEmpty {
                    Task {
                        _ = await task.value
                        for runner in lockRunners { runner.release() }
                    }
                }
                let timer = step.timeout.map { timeout in
                    Task {
                        try await Task.sleep(for: timeout)
                        task.cancel()
                    }
                }
                backgrounds.append(
                    Background(
                        step: step, index: index, stop: stop, task: task,
                        until: scenario.stoppingStep(of: step) ?? step.name, started: monotonicNanos() - origin,
                        lockRunners: lockRunners, timer: timer))
                progress?.stepStarted(scenario: scenario.name, step: step.name, background: true)
                continue
            }
            progress?.stepStarted(scenario: scenario.name, step: step.name, background: false)
            let before = await meter?.before()
            let started = monotonicNanos() - origin
            boundaries.mark(nanos: started)
            let ticker = progress?.live(step: step.name, counter: context.progress)
            let measurement = await runWithTimeout(step, context: context, keepCopy: restoreSnapshots)
            ticker?.cancel()
            await ticker?.value
            let ended = monotonicNanos() - origin
            boundaries.mark(nanos: ended)
            record(await finishLockFaults(lockRunners, sessions: sessions))
            let failed = measurement.failure != nil
            var work: WorkCounters?
            if let meter, let before, case (let after?, let settled) = await meter.after(step: step.name) {
                // Traffic or a lock holder beside the step adds to the same database's counters.
                work = meter.work(from: before, to: after, attributed: settled && backgrounds.isEmpty && lockRunners.isEmpty)
            }
            finished[step.name] = Finished(
                measurement: measurement, started: started, ended: ended, status: failed ? "failed" : "ok", work: work)
            progress?.stepFinished(
                scenario: scenario.name, step: step.name, measurement: measurement, durationMs: Double(ended - started) / 1e6)
            // Background workloads whose `until` step just ended stop now.
            for bg in backgrounds where bg.until == step.name {
                let (done, locks) = await stop(background: bg, origin: origin, sessions: sessions)
                finished[bg.step.name] = done
                record(locks)
            }
            backgrounds.removeAll { $0.until == step.name }
            if failed && step.onError == .stop { stopped = true }
            // A step that could not be run as asked ends the run, whatever its `on_error`.
            if let why = measurement.infrastructureFailure {
                infrastructureFailure = why
                stopped = true
            }
        }
        for bg in backgrounds {
            let (done, locks) = await stop(background: bg, origin: origin, sessions: sessions)
            finished[bg.step.name] = done
            record(locks)
        }
        let observation = await observer?.finish()
        let memory = sampler.finish()
        await meter?.close()
        for (index, pid) in pendingLockObservations {
            let waiters = observation?.waitersOf[pid] ?? [:]
            faultResults[index].observed["sessions_waited"] = .number(Double(waiters.count))
            faultResults[index].observed["longest_wait_ms"] = .number(waiters.values.max() ?? 0)
            faultResults[index].observed["total_wait_ms"] = .number(waiters.values.reduce(0, +))
            faultResults[index].observed.removeValue(forKey: "holder_pid")
        }

        // Step results, with locks, memory and background impact.
        var steps: [StepResult] = []
        var metrics: [String: StepMetrics] = [:]
        var impacts: [String: StepMetrics] = [:]
        let backgroundSteps = scenario.steps.filter(\.background).compactMap { s -> (Step, Finished)? in
            finished[s.name].map { (s, $0) }
        }
        for step in scenario.steps {
            guard let done = finished[step.name] else { continue }
            var result = makeResult(step: step, done: done)
            result.work = done.work
            if let observation {
                let sampled = LockObserver.locksTaken(observation, owner: .step(step.name))
                result.locksTaken = LockObserver.merge(exact: done.measurement.exactLocks, sampled: sampled)
                result.lockWaitMaxMs = observation.longestWait[.step(step.name)] ?? 0
            } else if !done.measurement.exactLocks.isEmpty {
                result.locksTaken = done.measurement.exactLocks
            }
            if done.status != "skipped" {
                let peaks = MemorySampler.peaks(memory, from: done.started, to: done.ended)
                result.serverMemoryPeak = peaks.server
                if case .run = step.kind {} else { result.clientMemoryPeak = peaks.client }
            }
            // The impact of this step on background traffic that ran beside it.
            if !step.background, done.status != "skipped" {
                for (bgStep, bgDone) in backgroundSteps
                where bgDone.started <= done.started && bgDone.ended >= done.started {
                    if let workload = bgDone.measurement.workload {
                        let (impact, histogram, batches) = workload.impact(
                            from: Int64(done.started / 1000), to: Int64(done.ended / 1000), step: bgStep.name)
                        result.impact = impact
                        var m = StepMetrics()
                        m.latency = histogram
                        m.batches = batches
                        m.errors = impact.errors
                        m.durationsMs = [Double(done.ended - done.started) / 1e6]
                        impacts[step.name] = m
                    }
                }
            }
            var m = StepMetrics()
            m.latency = done.measurement.latency
            m.durationsMs = [Double(done.ended - done.started) / 1e6]
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
            metrics[step.name] = m
            steps.append(result)
        }
        faultResults.append(contentsOf: staticFaults(finished: finished))

        // Checks, targets, verdict.
        var checks: [CheckResult] = []
        if let connection = try? await Connection.connect(conninfo, label: "rehearse-checks") {
            checks = await CheckRunner.run(scenario.checks, on: connection, phase: "deploy")
            await connection.close()
        } else {
            checks = scenario.checks.map {
                CheckResult(
                    name: $0.name, passed: false, expected: .null, actual: .string("database unreachable"), phase: "deploy", error: nil)
            }
        }
        let targets = TargetEvaluator.evaluate(scenario.targets, metrics: metrics, impacts: impacts)
        let reasons = BlockingReasons.reasons(steps: steps, checks: checks, targets: targets)
        let verdict = reasons.isEmpty ? "approved" : "blocked"

        // Rollback rehearsal.
        let rollback = await rehearseRollback(verdict: verdict, snapshots: snapshots)
        // Snapshot copies belong to this repetition.
        for snapshot in snapshots.all { if let copy = snapshot.copyDatabase { try? await host.dropDatabase(copy) } }

        return Outcome(
            result: RepetitionResult(
                verdict: verdict, steps: steps, faults: faultResults, checks: checks + rollback.checkResults,
                targets: targets, rollback: rollback.result, reasons: reasons),
            metrics: metrics, impacts: impacts, infrastructureFailure: infrastructureFailure)
    }

    private func makeContext(
        step: Step, sessions: SessionDirectory, snapshots: SnapshotStore, boundaries: StepBoundaries, origin: UInt64
    ) -> StepContext {
        var missing: [MissingSeedFault] = []
        var limit: Int64?
        var required = true
        for fault in scenario.faults {
            switch fault.kind {
            case .missingSeed(let m): missing.append(m)
            case .memoryCapStep(let name, let bytes) where name == step.name:
                limit = bytes
                required = fault.required
            default: break
            }
        }
        return StepContext(
            scenario: scenario, step: step, host: host, database: database, sessions: sessions, missingSeed: missing,
            memoryLimit: limit, memoryCapRequired: required, snapshots: snapshots, origin: origin, boundaries: boundaries)
    }

    private func runWithTimeout(_ step: Step, context: StepContext, keepCopy: Set<String>) async -> StepMeasurement {
        let timeout = step.timeout ?? stepTimeout
        let (measurement, ending) = await Deadline.run(timeout: timeout) {
            await StepDispatcher.run(step, context: context, keepCopy: keepCopy)
        }
        guard measurement.failure?.sqlstate == "57014" || measurement.failure == nil else { return measurement }
        var m = measurement
        switch ending {
        case .timedOut: m.fail(message: "step \(step.name) ran past its timeout of \(timeout) and was canceled", sqlstate: "57014")
        case .interrupted: m.fail(message: "step \(step.name) was canceled: the run was interrupted", sqlstate: "57014")
        case .finished: break
        }
        return m
    }

    private func lockFaults(during step: Step) -> [(id: Int, fault: LockFault)] {
        scenario.faults.enumerated().compactMap { i, fault in
            if case .lock(let lock) = fault.kind, lock.during == step.name { (i, lock) } else { nil }
        }
    }

    private func notApplied(_ lock: (id: Int, fault: LockFault), reason: String) -> FaultResult {
        FaultResult(
            kind: "lock", target: LockFaultRunner.describe(lock.fault).target, during: lock.fault.during, applied: false,
            reason: reason, startedMs: nil, endedMs: nil, enforcement: nil, observed: [:])
    }

    /// Starts the lock faults tied to a step; those whose holder cannot connect are results already.
    private func startLockFaults(during step: Step, context: StepContext) async -> ([LockFaultRunner], [FaultResult]) {
        var runners: [LockFaultRunner] = []
        var failed: [FaultResult] = []
        for lock in lockFaults(during: step) {
            do {
                runners.append(try await LockFaultRunner.start(lock.fault, id: lock.id, context: context))
            } catch {
                failed.append(notApplied(lock, reason: "could not connect the holder: \(asPostgres(error).message)"))
            }
        }
        return (runners, failed)
    }

    /// Releases a step's lock faults: their results, with each holder's pid for the lock observation.
    private func finishLockFaults(_ runners: [LockFaultRunner], sessions: SessionDirectory) async -> [(FaultResult, Int32)] {
        var results: [(FaultResult, Int32)] = []
        for runner in runners {
            var result = await runner.finish(sessions: sessions)
            result.observed["holder_pid"] = .number(Double(runner.pid))
            results.append((result, runner.pid))
        }
        return results
    }

    /// Stops a background workload. Its locks go first: its own transactions may be
    /// waiting on them, and a drain would then wait for good. On an interrupt it is
    /// abandoned (its statements cancelled), not drained.
    private func stop(
        background bg: Background, origin: UInt64, sessions: SessionDirectory
    ) async -> (
        Finished, [(FaultResult, Int32)]
    ) {
        for runner in bg.lockRunners { runner.release() }
        if Task.isCancelled { bg.task.cancel() } else { bg.stop.stop() }
        let done = finish(background: bg, origin: origin, finished: await bg.task.value)
        bg.timer?.cancel()
        return (done, await finishLockFaults(bg.lockRunners, sessions: sessions))
    }

    private func finish(background bg: Background, origin: UInt64, finished measurement: StepMeasurement) -> Finished {
        let ended = monotonicNanos() - origin
        return Finished(measurement: measurement, started: bg.started, ended: ended, status: measurement.failure == nil ? "ok" : "failed")
    }

    private func makeResult(step: Step, done: Finished) -> StepResult {
        let m = done.measurement
        var result = StepResult(
            name: step.name, kind: step.kind.name, status: done.status, error: m.failure,
            durationMs: (Double(done.ended - done.started) / 1e3).rounded() / 1e3,
            startedMs: done.status == "skipped" ? nil : (Double(done.started) / 1e3).rounded() / 1e3,
            batches: m.batches, rows: m.rows, rowsSkipped: m.rowsSkipped, rowsRemaining: m.rowsRemaining,
            errors: m.errors, latencyMs: m.latency.summary, histogram: m.latency.count > 0 ? m.latency.encoded() : nil)
        result.clientMemoryPeak = m.clientMemoryPeak
        result.migrations = m.migrations
        result.exitCode = m.exitCode
        result.output = m.output
        result.skippedRows = m.skippedRows
        result.tables = m.synthesized
        if step.background { result.background = true }
        if let w = m.workload {
            result.timeline = w.timeline()
            result.transactions = w.transactions
            if w.open {
                result.serviceMs = w.service.summary
                result.lagMs = w.lag.summary
            }
        }
        return result
    }

    /// Missing-seed and memory faults: what the steps reported about them.
    private func staticFaults(finished: [String: Finished]) -> [FaultResult] {
        var results: [FaultResult] = []
        for fault in scenario.faults {
            switch fault.kind {
            case .missingSeed(let m):
                let observed = finished.values.compactMap { $0.measurement.missingSeed[m.table] }.first
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
                let cap = host.memoryCap
                results.append(
                    FaultResult(
                        kind: "memory_cap", target: "server", during: nil, applied: cap != nil,
                        reason: cap == nil ? "a server memory cap needs the embedded server" : nil, startedMs: 0, endedMs: nil,
                        enforcement: cap?.enforcement.rawValue,
                        observed: [
                            "limit_bytes": .number(Double(bytes)), "peak_bytes": cap?.cgroupPeak().map { .number(Double($0)) } ?? .null,
                            "oom_kills": .number(Double(cap?.oomKills() ?? 0)),
                        ]))
            case .memoryCapStep(let step, let bytes):
                let done = finished[step]
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
}
