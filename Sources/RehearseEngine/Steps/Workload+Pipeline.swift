import PostgresClient
import RehearseSupport

extension Workload {
    /// The lane in libpq pipeline mode: up to `pipeline` transactions in flight, each
    /// sent as its statements and a sync (the implicit transaction between two syncs),
    /// results read in order. A transaction's latency runs from when it was due (open
    /// model) or sent (closed model) to its sync, so time spent queued behind the
    /// transactions ahead of it counts, as it would for an application.
    ///
    /// A transaction that fails with 0A000 (a schema change under its prepared plan) is
    /// sent once more after its statements are prepared again, with the same
    /// parameters, as the ordinary lane retries it. When the step is abandoned (a
    /// timeout, an interrupt) nothing more is sent and what is still in flight is
    /// cancelled on the server one transaction after the other.
    static func runPipelinedLane(
        _ lane: Lane, plan: WorkloadPlan, statements: LaneStatements, session: Session, stop: StopSignal,
        cancel: () -> Void, into result: inout LaneResult
    ) throws(PostgresError) {
        var random = FastRandom(seed: lane.seed)
        let params = ParameterBuffer(capacity: 16)
        var schedule = LaneSchedule(lane)
        var inFlight = InFlightQueue(capacity: lane.pipeline)
        var done = 0
        var issued = 0
        var finished = false
        // Transactions that failed with 0A000 on their first try, and the statements to prepare again.
        var retries: [InFlight] = []
        var reprepare: [PreparedHandle] = []
        var abandonedAt: UInt64 = 0

        /// Sends one transaction; its parameters come from `random` and `sequence`,
        /// so a retry sends the same values again.
        func send(_ tx: Int, _ random: inout FastRandom, _ sequence: Int64) throws(PostgresError) {
            plan.bind(tx, into: params, random: &random, sequence: sequence)
            for handle in statements.pipelined[tx] { try session.sendPrepared(handle, params) }
            try session.pipelineSync()
        }

        try session.enterPipelineMode()
        // The transaction being read, so that a lane that fails accounts for it too.
        var reading: InFlight?
        /// The error the transaction being read has already brought, if any.
        var readingFailure: PostgresError?
        do throws(PostgresError) {
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
                            continue
                        }
                        if try !session.resultReady() {
                            session.waitForInput(nanoseconds: min(until - now, 50_000_000))
                            if try !session.resultReady() { continue }
                        }
                    case .due(let due):
                        let tx = plan.pick(random.next())
                        let sequence = Int64(issued * lane.connections + lane.index)
                        issued += 1
                        let state = random
                        let sent = schedule.isOpen ? monotonicNanos() : due
                        // In flight before it is sent, so that a failed send is accounted for.
                        inFlight.push(InFlight(tx: tx, due: due, sent: sent, random: state, sequence: sequence))
                        try send(tx, &random, sequence)
                        continue
                    }
                }
                guard let entry = inFlight.pop() else {
                    if !reprepare.isEmpty {
                        // Every result is in: leave pipeline mode to prepare again, then send the
                        // failed transactions once more (unless the step was abandoned meanwhile).
                        try session.exitPipelineMode()
                        for handle in reprepare { try session.reprepare(handle) }
                        reprepare.removeAll()
                        try session.enterPipelineMode()
                        while !retries.isEmpty {
                            var retry = retries.removeFirst()
                            if stop.isAbandoned {
                                let error = PostgresError(kind: .client, sqlstate: "57014", message: "cancelled before its retry")
                                result.record(
                                    tx: retry.tx, due: retry.due, sent: retry.sent, end: monotonicNanos(), rows: 0, error: error)
                                continue
                            }
                            retry.retried = true
                            inFlight.push(retry)
                            var state = retry.random
                            try send(retry.tx, &state, retry.sequence)
                        }
                        continue
                    }
                    if finished { break }
                    continue
                }
                // Read one transaction: its statements' results, then its sync.
                reading = entry
                var rows = 0
                var failed: PostgresError?
                readResults: while true {
                    if stop.isAbandoned {
                        // Cancel until the result is in: each cancel reaches the statement that
                        // runs at that moment, and the next transaction starts right after it.
                        // A server that ignores cancels ends the lane after ten seconds.
                        if abandonedAt == 0 { abandonedAt = monotonicNanos() }
                        while try !session.resultReady() {
                            if monotonicNanos() - abandonedAt > 10_000_000_000 {
                                throw PostgresError(
                                    kind: .client, sqlstate: "57014",
                                    message: "the server did not end the cancelled transactions within 10 s")
                            }
                            cancel()
                            session.waitForInput(nanoseconds: 20_000_000)
                        }
                    }
                    switch try session.nextPipelineEvent() {
                    case .completed(let n): rows += n
                    case .failed(let error):
                        if failed == nil {
                            failed = error
                            readingFailure = error
                        }
                    case .aborted: break
                    case .sync: break readResults
                    }
                }
                reading = nil
                readingFailure = nil
                if let failed, failed.invalidatesCachedPlan, !entry.retried {
                    for handle in statements.pipelined[entry.tx] where !reprepare.contains(handle) {
                        reprepare.append(handle)
                    }
                    retries.append(entry)
                    continue
                }
                let end = monotonicNanos()
                result.record(tx: entry.tx, due: entry.due, sent: entry.sent, end: end, rows: rows, error: failed)
                done += 1
                try lane.afterTransaction(done)
            }
        } catch {
            // The session failed under the lane: every transaction sent and not yet
            // answered failed with it, as the application would have seen.
            // The server's own reason, when it sent one before the connection went (57P01
            // from a terminated backend), rather than libpq's "connection lost" after it.
            let cause = session.isBroken ? readingFailure ?? error : error
            let end = monotonicNanos()
            for entry in [reading].compactMap({ $0 }) + retries {
                result.record(tx: entry.tx, due: entry.due, sent: entry.sent, end: end, rows: 0, error: cause)
                result.endingErrorRecorded = true
            }
            while let entry = inFlight.pop() {
                result.record(tx: entry.tx, due: entry.due, sent: entry.sent, end: end, rows: 0, error: cause)
                result.endingErrorRecorded = true
            }
            throw cause
        }
        try session.exitPipelineMode()
    }
}

/// A transaction a pipelined lane has sent and not yet read.
struct InFlight {
    var tx: Int
    var due: UInt64
    var sent: UInt64
    /// The generator's state before this transaction's parameters, to send the same ones again.
    var random: FastRandom
    var sequence: Int64
    var retried = false
}

/// The transactions in flight, oldest first, in a ring of fixed capacity.
struct InFlightQueue {
    private var items: [InFlight?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { items = Array(repeating: nil, count: max(capacity, 1)) }

    mutating func push(_ item: InFlight) {
        precondition(count < items.count, "pipeline overfull")
        var slot = head + count
        if slot >= items.count { slot -= items.count }
        items[slot] = item
        count += 1
    }

    mutating func pop() -> InFlight? {
        guard count > 0 else { return nil }
        let item = items[head]
        head += 1
        if head == items.count { head = 0 }
        count -= 1
        return item
    }
}
