import Foundation
import PostgresClient
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
        var connections: [Connection] = []
        do {
            for _ in 0..<spec.connections { connections.append(try await context.connect(label: "rehearse-workload")) }
        } catch let error as PostgresError {
            for c in connections { await context.release(c) }
            measurement.fail(error)
            return measurement
        } catch {
            for c in connections { await context.release(c) }
            measurement.fail(message: "\(error)")
            return measurement
        }
        let start = monotonicNanos() + 1_000_000
        var deadline: UInt64?
        var iterations: Int?
        switch spec.length {
        case .iterations(let n): iterations = n
        case .duration(let d): deadline = start + d.nanoseconds
        case nil: if !context.step.background { iterations = 1000 }
        }
        // A step timeout (or an interrupt) cancels this task: the lanes stop after the
        // transaction they are in, whose statement `cancellable` cancels on the server.
        let results = await withTaskCancellationHandler {
            await runLanes(
                spec, plan: plan, connections: connections, context: context, stop: stop, start: start,
                deadline: deadline, iterations: iterations)
        } onCancel: {
            stop.stop()
        }
        for c in connections { await context.release(c) }
        var merged = WorkloadMeasurement(transactionNames: plan.transactions.map(\.name), open: spec.rate != nil)
        for result in results {
            switch result {
            case .success(let lane):
                merged.merge(lane)
            case .failure(let error):
                measurement.fail(error)
            }
        }
        measurement.latency = merged.latency
        measurement.errors.merge(merged.errors, uniquingKeysWith: +)
        // Every executed transaction is a batch; failed ones are counted but kept out of the latencies.
        measurement.batches = Int(merged.latency.count) + merged.errors.values.reduce(0, +)
        measurement.rows = merged.rows
        measurement.workload = merged
        return measurement
    }

    private static func runLanes(
        _ spec: WorkloadSpec, plan: WorkloadPlan, connections: [Connection], context: StepContext, stop: StopSignal,
        start: UInt64, deadline: UInt64?, iterations: Int?
    ) async -> [Result<LaneResult, PostgresError>] {
        await withTaskGroup(of: Result<LaneResult, PostgresError>.self) { group in
            for (index, connection) in connections.enumerated() {
                var share: Int?
                if let iterations {
                    share = iterations / spec.connections + (index < iterations % spec.connections ? 1 : 0)
                }
                let lane = Lane(
                    index: index, connections: spec.connections, iterations: share, deadline: deadline,
                    rate: spec.rate, start: start, origin: context.origin, seed: UInt64(index + 1) &* 0x2545_F491_4F6C_DD1D,
                    pipeline: spec.pipeline, memoryLimit: context.memoryLimit, progress: context.progress)
                group.addTask {
                    do {
                        return .success(
                            try await connection.cancellable { session in
                                try runLane(lane, plan: plan, session: session, stop: stop)
                            })
                    } catch let error as PostgresError {
                        return .failure(error)
                    } catch {
                        return .failure(PostgresError(kind: .client, message: "\(error)"))
                    }
                }
            }
            var all: [Result<LaneResult, PostgresError>] = []
            for await r in group { all.append(r) }
            return all
        }
    }

    /// The hot loop. Runs on the connection's own thread; nothing here locks or awaits.
    static func runLane(_ lane: Lane, plan: WorkloadPlan, session: Session, stop: StopSignal) throws -> LaneResult {
        let statements = try LaneStatements(plan: plan, session: session)
        if lane.pipeline > 1 {
            return try runPipelinedLane(lane, plan: plan, statements: statements, session: session, stop: stop)
        }
        var result = LaneResult(transactionCount: plan.transactions.count, origin: lane.origin, open: lane.rate != nil)
        var random = FastRandom(seed: lane.seed)
        let params = ParameterBuffer(capacity: 16)
        var schedule = LaneSchedule(lane)
        var done = 0
        while !stop.isStopped {
            let due: UInt64
            switch schedule.next(now: monotonicNanos()) {
            case .finished: return result
            case .wait(let until):
                sleepUntil(nanos: min(until, monotonicNanos() + 50_000_000))
                continue
            case .due(let at): due = at
            }
            let txIndex = plan.pick(random.next())
            params.removeAll()
            let sequence = Int64(done * lane.connections + lane.index)
            plan.transactions.withUnsafeBufferPointer { transactions in
                for generator in transactions[txIndex].params {
                    generator.generate(into: params, random: &random, sequence: sequence)
                }
            }
            let wrapped = statements.wrapped[txIndex]
            let sent = monotonicNanos()
            var failed: PostgresError?
            var rows = 0
            for attempt in 0..<2 {
                do {
                    rows = 0
                    if wrapped { try session.executePrepared(statements.begin!, params) }
                    for handle in statements.all[txIndex] { rows += try session.executePrepared(handle, params) }
                    if wrapped { try session.executePrepared(statements.commit!, params) }
                    failed = nil
                } catch {
                    failed = error
                    if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                    if session.isBroken { throw error }
                    // A schema change invalidated a prepared plan's result type: re-prepare and
                    // retry once, as application drivers (pgx, JDBC) do transparently.
                    if attempt == 0, error.invalidatesCachedPlan {
                        for handle in statements.all[txIndex] { try session.reprepare(handle) }
                        continue
                    }
                }
                break
            }
            let end = monotonicNanos()
            result.record(tx: txIndex, due: schedule.isOpen ? due : sent, sent: sent, end: end, rows: rows, error: failed)
            done += 1
            try lane.afterTransaction(done)
        }
        return result
    }

    /// The lane in libpq pipeline mode: up to `pipeline` transactions in flight, each
    /// sent as its statements and a sync (the implicit transaction between two syncs),
    /// results read in order. A transaction's latency runs from when it was due (open
    /// model) or sent (closed model) to its sync, so time spent queued behind the
    /// transactions ahead of it counts, as it would for an application.
    static func runPipelinedLane(
        _ lane: Lane, plan: WorkloadPlan, statements: LaneStatements, session: Session, stop: StopSignal
    ) throws -> LaneResult {
        var result = LaneResult(transactionCount: plan.transactions.count, origin: lane.origin, open: lane.rate != nil)
        var random = FastRandom(seed: lane.seed)
        let params = ParameterBuffer(capacity: 16)
        var schedule = LaneSchedule(lane)
        var inFlight = InFlightQueue(capacity: lane.pipeline)
        var done = 0
        var issued = 0
        var finished = false
        var reprepare: [PreparedHandle] = []
        try session.enterPipelineMode()
        while true {
            if !finished && stop.isStopped { finished = true }
            // Send while there is room and work is due.
            if !finished && reprepare.isEmpty && inFlight.count < lane.pipeline {
                let now = monotonicNanos()
                switch schedule.next(now: now) {
                case .finished:
                    finished = true
                case .wait(let until):
                    if inFlight.count == 0 {
                        sleepUntil(nanos: min(until, now + 50_000_000))
                    } else if try !session.resultReady() {
                        session.waitForInput(nanoseconds: min(until - now, 50_000_000))
                        if try !session.resultReady() { continue }
                    }
                    if inFlight.count == 0 { continue }
                case .due(let due):
                    let txIndex = plan.pick(random.next())
                    params.removeAll()
                    for generator in plan.transactions[txIndex].params {
                        generator.generate(into: params, random: &random, sequence: Int64(issued * lane.connections + lane.index))
                    }
                    issued += 1
                    let sent = monotonicNanos()
                    for handle in statements.pipelined[txIndex] { try session.sendPrepared(handle, params) }
                    try session.pipelineSync()
                    inFlight.push(InFlight(tx: txIndex, due: schedule.isOpen ? due : sent, sent: sent))
                    continue
                }
            }
            guard let entry = inFlight.pop() else {
                if !reprepare.isEmpty {
                    // Every result is in: leave pipeline mode to prepare again, then go on.
                    try session.exitPipelineMode()
                    for handle in reprepare { try session.reprepare(handle) }
                    reprepare.removeAll()
                    try session.enterPipelineMode()
                    continue
                }
                if finished { break }
                continue
            }
            // Read one transaction: its statements' results, then its sync.
            var rows = 0
            var failed: PostgresError?
            readResults: while true {
                switch try session.nextPipelineEvent() {
                case .completed(let n): rows += n
                case .failed(let error): if failed == nil { failed = error }
                case .aborted: break
                case .sync: break readResults
                }
            }
            let end = monotonicNanos()
            result.record(tx: entry.tx, due: entry.due, sent: entry.sent, end: end, rows: rows, error: failed)
            if let failed, failed.invalidatesCachedPlan { reprepare.append(contentsOf: statements.pipelined[entry.tx]) }
            done += 1
            try lane.afterTransaction(done)
        }
        try session.exitPipelineMode()
        return result
    }
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
    /// Whether the engine wraps each transaction in BEGIN/COMMIT.
    var wrapped: [Bool]
    var begin: PreparedHandle?
    var commit: PreparedHandle?

    init(plan: WorkloadPlan, session: Session) throws(PostgresError) {
        all = []
        pipelined = []
        wrapped = plan.transactions.map(\.wrapped)
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
        if plan.transactions.contains(where: \.wrapped) {
            begin = try session.prepare("rh_begin", "BEGIN")
            commit = try session.prepare("rh_commit", "COMMIT")
        }
    }
}

/// When a lane's next transaction is due: now in the closed model; on the
/// workload's global schedule in the open model (transaction k·N + index of the
/// whole workload, one every `interval`), so lateness never accumulates.
struct LaneSchedule {
    enum Decision { case due(UInt64), wait(until: UInt64), finished }

    let interval: UInt64?
    let start: UInt64
    let deadline: UInt64?
    let iterations: Int?
    let connections: UInt64
    let index: UInt64
    private var k: UInt64 = 0

    init(_ lane: Workload.Lane) {
        interval = lane.rate.map { UInt64(1e9 / $0) }
        start = lane.start
        deadline = lane.deadline
        iterations = lane.iterations
        connections = UInt64(lane.connections)
        index = UInt64(lane.index)
    }

    var isOpen: Bool { interval != nil }

    @inline(__always)
    mutating func next(now: UInt64) -> Decision {
        if let iterations, k >= iterations { return .finished }
        var due = now
        if let interval {
            due = start &+ (k &* connections &+ index) &* interval
            if let deadline, due >= deadline { return .finished }
            if now < due { return .wait(until: due) }
        } else if let deadline, now >= deadline {
            return .finished
        }
        k += 1
        return .due(due)
    }
}

/// The transactions a pipelined lane has sent and not yet read, oldest first.
struct InFlight {
    var tx: Int
    var due: UInt64
    var sent: UInt64
}

struct InFlightQueue {
    private var items: [InFlight]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { items = Array(repeating: InFlight(tx: 0, due: 0, sent: 0), count: max(capacity, 1)) }

    mutating func push(_ item: InFlight) {
        items[(head + count) % items.count] = item
        count += 1
    }

    mutating func pop() -> InFlight? {
        guard count > 0 else { return nil }
        defer {
            head = (head + 1) % items.count
            count -= 1
        }
        return items[head]
    }
}

extension PostgresError {
    /// 0A000 "cached plan must not change result type": a schema change under a prepared statement.
    var invalidatesCachedPlan: Bool { sqlstate == "0A000" && message.contains("cached plan") }
}

/// A flag that tells workload lanes to stop after their current transaction.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    var isStopped: Bool { flag.load(ordering: .relaxed) }
    func stop() { flag.store(true, ordering: .relaxed) }
}
