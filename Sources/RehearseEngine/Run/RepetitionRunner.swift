import Foundation
import PostgresClient
import RehearseHistogram
import RehearseResults
import RehearseScenario
import RehearseSupport
import RehearseVerdict

/// Runs one repetition of a scenario on a fresh database: the steps (with
/// background workloads and faults beside them), the checks, the targets and
/// the rollback.
struct RepetitionRunner: Sendable {
    let scenario: Scenario
    let host: any DatabaseHost
    let database: String
    let progress: ProgressReporter?
    /// The default per-step timeout, enforced by cancelling the step's statements.
    let stepTimeout: Duration
    /// `--load-slice`: slice 1 meets the other slices before and after each workload.
    var loadSlice: LoadSliceBarrier? = nil

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

    func run() async -> Outcome {
        let sessions = SessionDirectory()
        let snapshots = SnapshotStore()
        let boundaries = StepBoundaries()
        let origin = monotonicNanos()
        var records: [String: StepRecord] = [:]
        var faultResults: [FaultResult] = []
        var backgrounds: [Int: Background] = [:]
        var infrastructureFailure: String?
        var pendingLockObservations: [(index: Int, pid: Int32)] = []
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
        func context(for step: Step) -> StepContext {
            makeContext(step: step, sessions: sessions, snapshots: snapshots, boundaries: boundaries, origin: origin)
        }

        var schedule = RepetitionSchedule(scenario: scenario)
        schedule: while true {
            switch schedule.next(interrupted: Task.isCancelled) {
            case .skip(let index, let reason):
                let step = scenario.steps[index]
                records[step.name] = .skipped
                // A fault tied to a step that did not run was not applied, and says why.
                for lock in lockFaults(during: step) {
                    faultResults.append(notApplied(lock, reason: "step '\(step.name)' did not run: \(reason.text)"))
                }
            case .startBackground(let index, let until):
                let step = scenario.steps[index]
                let stepContext = context(for: step)
                // Faults tied to this step start now; with `after: 0` the lock is held before the step begins.
                let (lockRunners, notStarted) = await startLockFaults(during: step, context: stepContext)
                faultResults += notStarted
                backgrounds[index] = startBackground(
                    step, index: index, until: until, context: stepContext, lockRunners: lockRunners, origin: origin)
            case .run(let index):
                let step = scenario.steps[index]
                let stepContext = context(for: step)
                let (lockRunners, notStarted) = await startLockFaults(during: step, context: stepContext)
                faultResults += notStarted
                progress?.stepStarted(scenario: scenario.name, step: step.name, background: false)
                let before = await meter?.before()
                let started = monotonicNanos() - origin
                boundaries.mark(nanos: started)
                let ticker = progress?.live(step: step.name, counter: stepContext.progress)
                let measurement = await runWithTimeout(step, context: stepContext, keepCopy: restoreSnapshots)
                ticker?.cancel()
                await ticker?.value
                let ended = monotonicNanos() - origin
                boundaries.mark(nanos: ended)
                record(await finishLockFaults(lockRunners, sessions: sessions))
                var work: WorkCounters?
                if let meter, let before, case (let after?, let settled) = await meter.after(step: step.name) {
                    // Traffic or a lock holder beside the step adds to the same database's counters.
                    work = meter.work(from: before, to: after, attributed: settled && backgrounds.isEmpty && lockRunners.isEmpty)
                }
                let failed = measurement.failure != nil
                records[step.name] = StepRecord(
                    measurement: measurement, started: started, ended: ended, status: failed ? .failed : .ok, work: work)
                progress?.stepFinished(
                    scenario: scenario.name, step: step.name, measurement: measurement, durationMs: Double(ended - started) / 1e6)
                // A step that could not be run as asked ends the run, whatever its `on_error`.
                if let why = measurement.infrastructureFailure { infrastructureFailure = why }
                schedule.finished(index, failed: failed, infrastructureFailure: measurement.infrastructureFailure != nil)
            case .stopBackgrounds(let indices):
                for index in indices {
                    guard let bg = backgrounds.removeValue(forKey: index) else { continue }
                    let (done, locks) = await stop(background: bg, origin: origin, sessions: sessions)
                    records[bg.step.name] = done
                    record(locks)
                }
            case .done:
                break schedule
            }
        }
        let observation = await observer?.finish()
        let memory = await sampler.finish()
        await meter?.close()
        RepetitionAssembly.addWaiters(to: &faultResults, pending: pendingLockObservations, locks: observation)
        let assembled = RepetitionAssembly.steps(of: scenario, records: records, locks: observation, memory: memory)
        let serverCap = host.memoryCap.map {
            RepetitionAssembly.ServerCapReading(enforcement: $0.enforcement.rawValue, peakBytes: $0.cgroupPeak(), oomKills: $0.oomKills())
        }
        faultResults += RepetitionAssembly.staticFaults(of: scenario, records: records, serverCap: serverCap)

        let checks = await deployChecks(conninfo: conninfo)
        let targets = TargetEvaluator.evaluate(scenario.targets, metrics: assembled.metrics, impacts: assembled.impacts)
        let (verdict, reasons) = RepetitionAssembly.verdict(steps: assembled.results, checks: checks, targets: targets)

        // Rollback rehearsal.
        let rollback = await rehearseRollback(verdict: verdict, snapshots: snapshots)
        // Snapshot copies belong to this repetition.
        for snapshot in snapshots.all { if let copy = snapshot.copyDatabase { try? await host.dropDatabase(copy) } }

        return Outcome(
            result: RepetitionResult(
                verdict: verdict, steps: assembled.results, faults: faultResults, checks: checks + rollback.checkResults,
                targets: targets, rollback: rollback.result, reasons: reasons),
            metrics: assembled.metrics, impacts: assembled.impacts, infrastructureFailure: infrastructureFailure)
    }

    /// The scenario's checks after the deploy; all failed when the database cannot be reached.
    private func deployChecks(conninfo: String) async -> [CheckResult] {
        guard let connection = try? await Connection.connect(conninfo, label: "rehearse-checks") else {
            return scenario.checks.map {
                CheckResult(
                    name: $0.name, passed: false, expected: .null, actual: .string("database unreachable"), phase: "deploy", error: nil)
            }
        }
        let checks = await CheckRunner.run(scenario.checks, on: connection, phase: "deploy")
        await connection.close()
        return checks
    }

    /// Starts a background workload (its lock faults already held): it runs until `stop`,
    /// its own `timeout:` or its iterations end it.
    private func startBackground(
        _ step: Step, index: Int, until: String, context: StepContext, lockRunners: [LockFaultRunner], origin: UInt64
    ) -> Background? {
        guard case .workload(let spec) = step.kind else { return nil }
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
        progress?.stepStarted(scenario: scenario.name, step: step.name, background: true)
        return Background(
            step: step, index: index, stop: stop, task: task, until: until, started: monotonicNanos() - origin,
            lockRunners: lockRunners, timer: timer)
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
            memoryLimit: limit, memoryCapRequired: required, snapshots: snapshots, origin: origin, boundaries: boundaries,
            loadSlice: loadSlice)
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
        StepRecord, [(FaultResult, Int32)]
    ) {
        for runner in bg.lockRunners { runner.release() }
        if Task.isCancelled { bg.task.cancel() } else { bg.stop.stop() }
        let done = finish(background: bg, origin: origin, finished: await bg.task.value)
        bg.timer?.cancel()
        return (done, await finishLockFaults(bg.lockRunners, sessions: sessions))
    }

    private func finish(background bg: Background, origin: UInt64, finished measurement: StepMeasurement) -> StepRecord {
        let ended = monotonicNanos() - origin
        return StepRecord(measurement: measurement, started: bg.started, ended: ended, status: measurement.failure == nil ? .ok : .failed)
    }
}
