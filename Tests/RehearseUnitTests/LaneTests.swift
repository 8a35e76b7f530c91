import Testing
@testable import RehearseEngine
@testable import RehearseSQL


/// The pure parts of a workload lane: which transactions can be pipelined, the
/// open-model schedule and the ring of transactions in flight.
@Suite("Workload lanes")
struct LaneTests {
    @Test(arguments: [
        "SELECT 1",
        "BEGIN; UPDATE t SET n = n + 1; COMMIT;",
        "begin /* a comment */; UPDATE t SET n = 1; end",
        "START TRANSACTION; SELECT 1; COMMIT WORK",
        "-- leading comment\nBEGIN; SELECT $1::int; COMMIT",
        "SET search_path = public; SELECT 1",
    ])
    func pipelinable(_ sql: String) {
        #expect(StatementKind.pipelineProblem(sql) == nil, "\(sql)")
    }

    @Test(arguments: [
        "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT 1; COMMIT",
        "BEGIN; SAVEPOINT a; SELECT 1; RELEASE a; COMMIT",
        "SELECT 1; ROLLBACK",
        "BEGIN; SELECT 1; SET TRANSACTION READ ONLY; COMMIT",
        // A transaction boundary in the middle would merge two transactions into one.
        "BEGIN; SELECT 1; COMMIT; BEGIN; SELECT 2; COMMIT",
        "SELECT 1; BEGIN; SELECT 2",
        "COMMIT; SELECT 1",
        "COPY t FROM STDIN",
        "PREPARE TRANSACTION 'x'",
    ])
    func notPipelinable(_ sql: String) {
        #expect(StatementKind.pipelineProblem(sql) != nil, "\(sql)")
    }

    @Test func commentsDoNotHideTransactionControl() {
        #expect(StatementKind.isPlainTransactionControl("/* x /* nested */ */ COMMIT"))
        #expect(StatementKind.isPlainTransactionControl("BEGIN -- go\n"))
        #expect(!StatementKind.isPlainTransactionControl("BEGIN ISOLATION LEVEL SERIALIZABLE"))
        #expect(!StatementKind.isPlainTransactionControl("SELECT 'BEGIN'"))
    }

    func lane(
        connections: Int, index: Int, rate: Double?, iterations: Int? = nil, deadline: UInt64? = nil
    )
        -> Workload.Lane
    {
        Workload.Lane(
            index: index, connections: connections, iterations: iterations, deadline: deadline, rate: rate,
            start: 1_000_000_000, origin: 0, seed: 1, pipeline: 1, memoryLimit: nil, progress: LiveCounter())
    }

    /// Lane i of N takes transactions i, i+N, i+2N… of one schedule, so the lanes
    /// together are due exactly `rate` times a second, and a late lane is not given
    /// a later schedule: lateness never accumulates.
    @Test func openScheduleInterleavesLanes() {
        let rate = 1000.0  // one every 1 ms
        var dues: [UInt64] = []
        for index in 0..<3 {
            var schedule = LaneSchedule(lane(connections: 3, index: index, rate: rate, deadline: 1_000_000_000 + 30_000_000))
            // Always late (but before the deadline): each transaction is due at once.
            while case .due(let due) = schedule.next(now: 1_000_000_000 + 30_000_000 - 1) { dues.append(due) }
        }
        #expect(dues.sorted() == (0..<30).map { 1_000_000_000 + UInt64($0) * 1_000_000 })
        // Once the duration is over, a backlog is not sent after it (as pgbench -T).
        var behind = LaneSchedule(lane(connections: 1, index: 0, rate: rate, deadline: 1_000_000_000 + 30_000_000))
        #expect(behind.next(now: 1_000_000_000 + 5_000_000) == .due(1_000_000_000))
        #expect(behind.next(now: 1_000_000_000 + 30_000_000) == .finished)
        var early = LaneSchedule(lane(connections: 2, index: 1, rate: rate))
        #expect(early.next(now: 1_000_000_000) == .wait(until: 1_001_000_000))
        #expect(early.next(now: 1_001_000_000) == .due(1_001_000_000))
        #expect(early.next(now: 1_001_000_001) == .wait(until: 1_003_000_000))
    }

    @Test func closedScheduleEndsAtItsIterationsOrDeadline() {
        var counted = LaneSchedule(lane(connections: 1, index: 0, rate: nil, iterations: 2))
        #expect(counted.next(now: 5) == .due(5))
        #expect(counted.next(now: 7) == .due(7))
        #expect(counted.next(now: 9) == .finished)
        var timed = LaneSchedule(lane(connections: 1, index: 0, rate: nil, deadline: 100))
        #expect(timed.next(now: 99) == .due(99))
        #expect(timed.next(now: 100) == .finished)
    }

    @Test func inFlightQueueWrapsAround() {
        var queue = InFlightQueue(capacity: 3)
        let random = FastRandom(seed: 1)
        var next = 0
        var expected = 0
        for round in 0..<20 {
            // Fill to a varying depth, then drain part of it, so the ring wraps many times.
            while queue.count < 1 + round % 3 {
                queue.push(InFlight(tx: next, due: 0, sent: 0, random: random, sequence: Int64(next)))
                next += 1
            }
            for _ in 0..<(1 + round % 2) {
                guard let item = queue.pop() else { break }
                #expect(item.tx == expected)
                expected += 1
            }
        }
        while let item = queue.pop() {
            #expect(item.tx == expected)
            expected += 1
        }
        #expect(expected == next)
        #expect(queue.count == 0)
    }
}
