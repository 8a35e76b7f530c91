/// When a lane's next transaction is due: now in the closed model; on the
/// workload's global schedule in the open model (transaction k·N + index of the
/// whole workload, one every `interval`), so lateness never accumulates.
struct LaneSchedule {
    enum Decision: Equatable { case due(UInt64), wait(until: UInt64), finished }

    let interval: UInt64?
    let start: UInt64
    let deadline: UInt64?
    let iterations: Int?
    let connections: UInt64
    let index: UInt64
    private var k: UInt64 = 0

    init(_ lane: Workload.Lane) {
        // Clamped: lint keeps a rate within NumberRanges, but a conversion past UInt64's range traps.
        interval = lane.rate.map { UInt64(min(max(1e9 / $0, 1), 1e18)) }
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
            // The duration is wall time, as pgbench -T: a backlog left when it is over is
            // not sent after it (a server at half the rate would double the step's length).
            if let deadline, due >= deadline || now >= deadline { return .finished }
            if now < due { return .wait(until: due) }
        } else if let deadline, now >= deadline {
            return .finished
        }
        k += 1
        return .due(due)
    }
}
