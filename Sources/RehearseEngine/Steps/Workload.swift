import Foundation
import PostgresClient
import RehearseHistogram
import RehearseScenario
import RehearseSupport
import Synchronization

/// The `workload` step: connections run a weighted mix of transactions, each
/// transaction a batch, closed model by default or at a fixed `rate`.
enum Workload {
    /// One connection's share of the work, run entirely on its session thread.
    struct Lane: Sendable {
        var index: Int
        var connections: Int
        var iterations: Int?
        var deadline: UInt64?
        var rate: Double?
        var start: UInt64
        var origin: UInt64
        var seed: UInt64
        var pipeline: Int
        /// A background workload's: the seconds steps began and ended in, whose
        /// transactions it keeps for the impact of those steps (see `TimelineRecorder`).
        var boundaries: StepBoundaries?
        /// A `memory_cap` on this step: rehearse's own heap, checked every 1024 transactions.
        var memoryLimit: Int64?
        var progress: LiveCounter
    }

    static func run(_ spec: WorkloadSpec, context: StepContext, stop: StopSignal) async -> StepMeasurement {
        var measurement = StepMeasurement()
        let plan: WorkloadPlan
        do {
            plan = try WorkloadPlan(spec: spec, resolve: context.resolve)
        } catch let error as PostgresError {
            measurement.fail(error)
            return measurement
        } catch {
            measurement.fail(message: "\(error)")
            return measurement
        }
        // A load slice opens its share of the lanes, numbered as on one machine.
        let lanes = context.loadSlice?.slice.lanes(of: spec.connections) ?? 0..<spec.connections
        var connections: [Connection] = []
        do {
            for _ in lanes { connections.append(try await context.connect(label: "rehearse-workload")) }
        } catch let error as PostgresError {
            for c in connections { await context.release(c) }
            measurement.fail(error)
            return measurement
        } catch {
            for c in connections { await context.release(c) }
            measurement.fail(message: "\(error)")
            return measurement
        }
        // Load slices start together, connections already open (LoadSliceBarrier+Workload).
        if let barrier = context.loadSlice, await !barrier.start(context.step, measurement: &measurement) {
            for c in connections { await context.release(c) }
            return measurement
        }
        let watcher = context.loadSlice?.watchStop(of: context.step, stop: stop)
        let start = monotonicNanos() + 1_000_000
        var deadline: UInt64?
        var iterations: Int?
        switch spec.length {
        case .iterations(let n): iterations = n
        case .duration(let d): deadline = start + d.nanoseconds
        case nil: if !context.step.background { iterations = 1000 }
        }
        // A step timeout (or an interrupt) cancels this task: the lanes send nothing more,
        // and `cancellable` cancels on the server what they still have running.
        let results = await withTaskCancellationHandler {
            await runLanes(
                spec, plan: plan, connections: connections, context: context, stop: stop, start: start,
                deadline: deadline, iterations: iterations, firstLane: lanes.lowerBound)
        } onCancel: {
            stop.abandon()
        }
        watcher?.cancel()
        for c in connections { await context.release(c) }
        await context.loadSlice?.finish(context.step, measurement: &measurement)
        var merged = WorkloadMeasurement(transactionNames: plan.transactions.map(\.name), open: spec.rate != nil)
        for outcome in results {
            if let lane = outcome.result { merged.merge(lane) }
            if let error = outcome.error {
                // Counted once: with the transactions it failed, or here when it failed none.
                measurement.fail(error, counted: outcome.result?.endingErrorRecorded != true)
            }
        }
        measurement.latency = merged.latency
        measurement.errors.merge(merged.errors, uniquingKeysWith: +)
        // Every executed transaction is a batch with a latency, failed ones too.
        measurement.batches = Int(merged.latency.count)
        measurement.rows = merged.rows
        measurement.workload = merged
        return measurement
    }

    private static func runLanes(
        _ spec: WorkloadSpec, plan: WorkloadPlan, connections: [Connection], context: StepContext, stop: StopSignal,
        start: UInt64, deadline: UInt64?, iterations: Int?, firstLane: Int = 0
    ) async -> [LaneOutcome] {
        await withTaskGroup(of: LaneOutcome.self) { group in
            for (position, connection) in connections.enumerated() {
                let index = firstLane + position
                var share: Int?
                if let iterations {
                    share = iterations / spec.connections + (index < iterations % spec.connections ? 1 : 0)
                }
                let lane = Lane(
                    index: index, connections: spec.connections, iterations: share, deadline: deadline,
                    rate: spec.rate, start: start, origin: context.origin, seed: UInt64(index + 1) &* 0x2545_F491_4F6C_DD1D,
                    pipeline: spec.pipeline, boundaries: context.step.background ? context.boundaries : nil,
                    memoryLimit: context.memoryLimit,
                    progress: context.progress)
                group.addTask {
                    do {
                        return try await connection.cancellable(repeating: true) { session in
                            // A lane that fails keeps what it measured until then.
                            var result = LaneResult(
                                transactionCount: plan.transactions.count, origin: lane.origin, open: lane.rate != nil,
                                boundaries: lane.boundaries)
                            do throws(PostgresError) {
                                try runLane(
                                    lane, plan: plan, session: session, stop: stop, cancel: connection.cancel, into: &result)
                                return LaneOutcome(result: result)
                            } catch {
                                return LaneOutcome(result: result, error: error)
                            }
                        }
                    } catch let error as PostgresError {
                        return LaneOutcome(error: error)
                    } catch {
                        return LaneOutcome(error: PostgresError(kind: .client, message: "\(error)"))
                    }
                }
            }
            var all: [LaneOutcome] = []
            for await r in group { all.append(r) }
            return all
        }
    }

    /// The hot loop. Runs on the connection's own thread; nothing here locks or awaits.
    static func runLane(
        _ lane: Lane, plan: WorkloadPlan, session: Session, stop: StopSignal, cancel: () -> Void,
        into result: inout LaneResult
    ) throws(PostgresError) {
        let statements = try LaneStatements(plan: plan, session: session)
        if lane.pipeline > 1 {
            return try runPipelinedLane(
                lane, plan: plan, statements: statements, session: session, stop: stop, cancel: cancel, into: &result)
        }
        var random = FastRandom(seed: lane.seed)
        let params = ParameterBuffer(capacity: 16)
        var schedule = LaneSchedule(lane)
        var done = 0
        var pgbench = PgBenchLane(plan: plan, clientID: lane.index, seed: lane.seed)
        while !stop.isStopped {
            let due: UInt64
            switch schedule.next(now: monotonicNanos()) {
            case .finished: return
            case .wait(let until):
                sleepUntil(nanos: min(until, monotonicNanos() + 50_000_000))
                // A backend terminated while the lane slept says why now, or never.
                session.readWhileIdle()
                continue
            case .due(let at): due = at
            }
            let txIndex = plan.pick(random.next())
            if let script = plan.transactions[txIndex].script, pgbench != nil {
                let sent = schedule.isOpen ? monotonicNanos() : due
                try pgbench?.run(
                    txIndex, script, scale: plan.transactions[txIndex].scale, due: due, sent: sent, session: session,
                    stop: stop, into: &result)
                done += 1
                try lane.afterTransaction(done)
                continue
            }
            plan.bind(txIndex, into: params, random: &random, sequence: Int64(done * lane.connections + lane.index))
            let wrapping = statements.wrapping[txIndex]
            // In the closed model a transaction is due when the lane is ready for it: now.
            let sent = schedule.isOpen ? monotonicNanos() : due
            var failed: PostgresError?
            var rows = 0
            for attempt in 0..<2 {
                do {
                    rows = 0
                    if let wrapping { try session.executePrepared(wrapping.begin, params) }
                    for handle in statements.all[txIndex] { rows += try session.executePrepared(handle, params) }
                    if let wrapping { try session.executePrepared(wrapping.commit, params) }
                    failed = nil
                } catch {
                    failed = error
                    if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                    if session.isBroken {
                        // The session is gone: this transaction failed, and so does the lane,
                        // with the server's reason when it gave one while the lane was idle.
                        let cause = error.sqlstate == nil ? session.idleFatal ?? error : error
                        result.record(tx: txIndex, due: due, sent: sent, end: monotonicNanos(), rows: 0, error: cause)
                        result.endingErrorRecorded = true
                        throw cause
                    }
                    // A schema change invalidated a prepared plan's result type: re-prepare and
                    // retry once, as application drivers (pgx, JDBC) do transparently.
                    if attempt == 0, error.invalidatesCachedPlan {
                        do {
                            for handle in statements.all[txIndex] { try session.reprepare(handle) }
                        } catch {
                            // Not even re-prepared: this transaction failed with it, and the lane ends.
                            result.record(tx: txIndex, due: due, sent: sent, end: monotonicNanos(), rows: 0, error: error)
                            result.endingErrorRecorded = true
                            throw error
                        }
                        continue
                    }
                }
                break
            }
            let end = monotonicNanos()
            result.record(tx: txIndex, due: due, sent: sent, end: end, rows: rows, error: failed)
            done += 1
            try lane.afterTransaction(done)
        }
    }
}

/// What a lane measured, and why it stopped early if it did.
struct LaneOutcome: Sendable {
    var result: LaneResult?
    var error: PostgresError?
}

extension Workload.Lane {
    /// Progress and the client memory cap, checked every so many transactions.
    @inline(__always)
    func afterTransaction(_ done: Int) throws(PostgresError) {
        if done & 63 == 0 { progress.add(64) }
        if let limit = memoryLimit, done & 1023 == 0, let used = ClientMemory.allocatedBytes(), used > limit {
            throw PostgresError(
                kind: .client, sqlstate: "53200",
                message: "client memory \(used) bytes passed the step's memory_cap of \(limit) bytes")
        }
    }
}

/// A lane's prepared statements, by handle, so the hot loop never looks a name up.
struct LaneStatements {
    /// Every statement of each transaction, as written.
    var all: [[PreparedHandle]]
    /// The statements a pipelined transaction sends: plain BEGIN/COMMIT left out.
    var pipelined: [[PreparedHandle]]
    /// Each transaction's BEGIN and COMMIT when the engine wraps it in them, else nil.
    var wrapping: [(begin: PreparedHandle, commit: PreparedHandle)?]

    init(plan: WorkloadPlan, session: Session) throws(PostgresError) {
        all = []
        pipelined = []
        for tx in plan.transactions {
            var handles: [PreparedHandle] = []
            var sent: [PreparedHandle] = []
            for s in tx.statements {
                let handle = try session.prepare(
                    s.name, s.sql, parameterCount: s.parameterCount, textParameters: s.unusedParameters)
                handles.append(handle)
                if !s.isTransactionControl { sent.append(handle) }
            }
            all.append(handles)
            pipelined.append(sent)
        }
        var control: (begin: PreparedHandle, commit: PreparedHandle)?
        if plan.transactions.contains(where: \.wrapped) {
            let begin = try session.prepare("rh_begin", "BEGIN")
            let commit = try session.prepare("rh_commit", "COMMIT")
            control = (begin, commit)
        }
        wrapping = plan.transactions.map { $0.wrapped ? control : nil }
    }
}

extension PostgresError {
    /// 0A000 "cached plan must not change result type": a schema change under a prepared
    /// statement. Told apart from other 0A000s by the server function that raises it, not
    /// by the message, which `lc_messages` translates.
    var invalidatesCachedPlan: Bool { sqlstate == "0A000" && routine == "RevalidateCachedQuery" }
}

/// Tells workload lanes to stop: after the transactions they have sent (`stop`, as a
/// background workload ends at its `until` step), or at once, cancelling what is still
/// in flight (`abandon`, on a step timeout or an interrupt).
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let abandoned = Atomic<Bool>(false)
    var isStopped: Bool { flag.load(ordering: .relaxed) }
    var isAbandoned: Bool { abandoned.load(ordering: .relaxed) }
    func stop() { flag.store(true, ordering: .relaxed) }
    func abandon() {
        abandoned.store(true, ordering: .relaxed)
        stop()
    }
}
