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
        let results = await withTaskGroup(of: Result<LaneResult, PostgresError>.self) { group in
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

    /// The hot loop. Runs on the connection's own thread; nothing here locks or awaits.
    static func runLane(_ lane: Lane, plan: WorkloadPlan, session: Session, stop: StopSignal) throws -> LaneResult {
        for tx in plan.transactions {
            for s in tx.statements {
                try session.prepare(s.name, s.sql, parameterCount: s.parameterCount, textParameters: s.unusedParameters)
            }
        }
        if plan.transactions.contains(where: \.wrapped) {
            try session.prepare("rh_begin", "BEGIN")
            try session.prepare("rh_commit", "COMMIT")
        }
        var result = LaneResult(transactionCount: plan.transactions.count, origin: lane.origin)
        var random = FastRandom(seed: lane.seed)
        let params = ParameterBuffer(capacity: 16)
        let interval: UInt64? = lane.rate.map { UInt64(1e9 / $0) }
        var k: UInt64 = 0
        var done = 0
        while true {
            if let iterations = lane.iterations, done >= iterations { break }
            if stop.isStopped { break }
            var due = monotonicNanos()
            if let interval {
                // Global schedule: transaction k*N + index of the whole workload, one every `interval`.
                due = lane.start &+ (k &* UInt64(lane.connections) &+ UInt64(lane.index)) &* interval
                if let deadline = lane.deadline, due >= deadline { break }
                let now = monotonicNanos()
                if now < due {
                    sleepUntil(nanos: min(due, now + 50_000_000))
                    if monotonicNanos() < due { continue }
                }
            } else if let deadline = lane.deadline, due >= deadline {
                break
            }
            k += 1
            let txIndex = plan.pick(random.next())
            let tx = plan.transactions[txIndex]
            params.removeAll()
            for generator in tx.params {
                generator.generate(into: params, random: &random, sequence: Int64(done * lane.connections + lane.index))
            }
            let sent = monotonicNanos()
            var failed: PostgresError?
            var rows = 0
            for attempt in 0..<2 {
                do {
                    rows = 0
                    if tx.wrapped { try session.executePrepared("rh_begin", params) }
                    for statement in tx.statements { rows += try session.executePrepared(statement.name, params) }
                    if tx.wrapped { try session.executePrepared("rh_commit", params) }
                    failed = nil
                } catch {
                    failed = error
                    if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
                    if session.isBroken { throw error }
                    // A schema change invalidated a prepared plan's result type: re-prepare and
                    // retry once, as application drivers (pgx, JDBC) do transparently.
                    if attempt == 0, error.sqlstate == "0A000", error.message.contains("cached plan") {
                        for statement in tx.statements { try session.reprepare(statement.name) }
                        continue
                    }
                }
                break
            }
            let end = monotonicNanos()
            result.record(
                tx: txIndex, due: interval != nil ? due : sent, sent: sent, end: end, rows: rows, error: failed)
            done += 1
            if done & 63 == 0 { lane.progress.add(64) }
            if let limit = lane.memoryLimit, done & 1023 == 0, let used = ClientMemory.allocatedBytes(), used > limit {
                throw PostgresError(
                    kind: .client, sqlstate: "53200",
                    message: "client memory \(used) bytes passed the step's memory_cap of \(limit) bytes")
            }
        }
        return result
    }
}

/// A flag that tells workload lanes to stop after their current transaction.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    var isStopped: Bool { flag.load(ordering: .relaxed) }
    func stop() { flag.store(true, ordering: .relaxed) }
}
