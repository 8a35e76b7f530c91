import Foundation
import PostgresClient
import TestBasics
import TestSupport
import Testing

@Suite("libpq client against a real server")
struct ConnectionTests {
    @Test func parameterizedAndPreparedQueries() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            let r = try await c.query("SELECT $1::int * 2, $2::text IS NULL", ["21", nil])
            #expect(r.rows == [["42", "t"]])
            let total = try await c.withSession { session -> Int in
                try session.prepare("sq", "SELECT $1::bigint + $2::bigint", parameterCount: 2)
                let params = ParameterBuffer()
                var sum = 0
                for i in 0..<100 {
                    params.removeAll()
                    params.append(Int64(i))
                    params.append(Int64(-1000))
                    sum += Int(try session.queryPrepared("sq", params).scalar ?? "0")!
                }
                return sum
            }
            #expect(total == (0..<100).reduce(0, +) - 100_000)
            await c.close()
        }
    }

    @Test func constraintViolationCarriesSQLStateAndDetail() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            try await c.execute("CREATE TABLE t (id int PRIMARY KEY, v int CHECK (v > 0))")
            try await c.execute("INSERT INTO t VALUES (1, 1)")
            do {
                try await c.execute("INSERT INTO t VALUES (1, 2)")
                Issue.record("expected a unique violation")
            } catch let error as PostgresError {
                #expect(error.sqlstate == "23505")
                #expect(error.detail?.contains("(id)=(1)") == true)
            }
            do {
                try await c.query("SELECT nosuchcolumn FROM t")
                Issue.record("expected an error")
            } catch let error as PostgresError {
                #expect(error.sqlstate == "42703")
                #expect(error.position == 8)
            }
            // The session is still usable after errors.
            #expect(try await c.query("SELECT count(*) FROM t").scalar == "1")
            await c.close()
        }
    }

    @Test func copyStreamsAGeneratedCSV() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            try await c.execute("CREATE TABLE items (id int PRIMARY KEY, name text)")
            let rows = try await c.withSession { session -> Int in
                try session.copyIn("COPY items FROM STDIN WITH (FORMAT csv)") { writer in
                    var chunk: [UInt8] = []
                    for i in 0..<50_000 {
                        chunk += Array("\(i),\"item, \(i)\"\n".utf8)
                        if chunk.count > 65536 {
                            try writer.write(chunk)
                            chunk.removeAll(keepingCapacity: true)
                        }
                    }
                    try writer.write(chunk)
                }.affectedRows
            }
            #expect(rows == 50_000)
            #expect(try await c.query("SELECT name FROM items WHERE id = 49999").scalar == "item, 49999")
            // A failing COPY reports the server's error and leaves the session usable.
            do {
                _ = try await c.withSession { session in
                    try session.copyIn("COPY items FROM STDIN WITH (FORMAT csv)") { try $0.write(Array("1,dup\n".utf8)) }
                }
                Issue.record("expected a duplicate key")
            } catch let error as PostgresError {
                #expect(error.sqlstate == "23505")
            }
            #expect(try await c.query("SELECT 1").scalar == "1")
            await c.close()
        }
    }

    /// The bound is loose on purpose (a loaded machine takes seconds to schedule a
    /// process): it only has to tell a cancelled statement from one that runs its minute.
    @Test func cancelStopsALongStatement() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            let sleeper = Task { try await c.execute("SELECT pg_sleep(60)") }
            // Cancelled once the server runs it, as pg_stat_activity shows.
            let observer = try await db.connect()
            let pid = String(c.backendPID)
            #expect(
                await poll {
                    (try? await observer.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query = 'SELECT pg_sleep(60)'", [pid]
                    ).scalar) == "1"
                })
            await observer.close()
            let cancelled = ContinuousClock.now
            c.cancel()
            do {
                _ = try await sleeper.value
                Issue.record("expected a cancellation")
            } catch let error as PostgresError {
                #expect(error.sqlstate == "57014")
            }
            #expect(ContinuousClock.now - cancelled < .seconds(15))
            await c.close()
        }
    }

    @Test func noticesAreCaptured() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            let notices = try await c.withSession { session -> [String] in
                try session.execute("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$")
                return session.takeNotices()
            }
            #expect(notices.contains { $0.contains("hello 42") })
            await c.close()
        }
    }

    @Test func connectionFailureIsAClearError() async throws {
        do {
            _ = try await Connection.connect("host=/nonexistent-socket-dir port=1 user=x dbname=y connect_timeout=2")
            Issue.record("expected a connection error")
        } catch {
            #expect(error.kind == .connection)
            #expect(error.message.contains("nonexistent-socket-dir"))
        }
    }

    /// A pipelined lane that waits for results until its next transaction is due must
    /// wake at that time, not at a whole millisecond (poll's resolution). Asked for
    /// 300 µs with nothing to read, no wait may end early (ppoll's guarantee), and the
    /// shortest of 200 waits must be under 900 µs: a millisecond timer, rounding up,
    /// never gets there; rounding down, it returns at once and fails the first check.
    /// The shortest, not the median, because the test runs beside the other suites on
    /// two cores and a busy scheduler only ever makes a wait longer.
    @Test func waitingForInputHasMicrosecondResolution() async throws {
        try await withTestServer { db in
            let connection = try await db.connect()
            let waits = try await connection.withSession { session -> [UInt64] in
                (0..<200).map { _ in
                    let start = DispatchTime.now().uptimeNanoseconds
                    session.waitForInput(nanoseconds: 300_000)
                    return DispatchTime.now().uptimeNanoseconds - start
                }
            }
            await connection.close()
            let shortest = waits.min() ?? 0
            #expect(shortest >= 300_000, "a wait returned before its time: \(shortest) ns")
            #expect(shortest < 900_000, "shortest wait \(shortest) ns for 300 µs")
        }
    }

    /// Pipeline mode: statements between two syncs are one implicit transaction; an
    /// error aborts the rest of it (rolled back), and the next one runs normally,
    /// also when the error only comes at the implicit commit (a deferred constraint).
    @Test func pipelineSyncsDelimitImplicitTransactions() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            try await c.execute(
                """
                CREATE TABLE p (id int PRIMARY KEY);
                CREATE TABLE d (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)
                """)
            let events = try await c.withSession { session -> [String] in
                let insert = try session.prepare("ins", "INSERT INTO p VALUES ($1)", parameterCount: 1)
                let deferred = try session.prepare("insd", "INSERT INTO d VALUES ($1)", parameterCount: 1)
                let params = ParameterBuffer()
                func send(_ handle: PreparedHandle, _ value: Int64) throws {
                    params.removeAll()
                    params.append(value)
                    try session.sendPrepared(handle, params)
                }
                try session.enterPipelineMode()
                try send(insert, 1)
                try send(insert, 2)
                try session.pipelineSync()
                try send(insert, 3)
                try send(insert, 1)  // duplicate: fails, 3 is rolled back with it
                try send(insert, 4)  // aborted
                try session.pipelineSync()
                try send(deferred, 7)
                try send(deferred, 7)  // fails only at the implicit commit
                try session.pipelineSync()
                try send(insert, 5)
                try session.pipelineSync()
                var log: [String] = []
                var syncs = 0
                while syncs < 4 {
                    switch try session.nextPipelineEvent() {
                    case .completed(let rows): log.append("ok \(rows)")
                    case .failed(let error): log.append("failed \(error.sqlstate ?? "?")")
                    case .aborted: log.append("aborted")
                    case .sync:
                        log.append("sync")
                        syncs += 1
                    }
                }
                #expect(try session.resultReady())
                try session.exitPipelineMode()
                return log
            }
            #expect(
                events == [
                    "ok 1", "ok 1", "sync", "ok 1", "failed 23505", "aborted", "sync", "ok 1", "ok 1", "failed 23505", "sync",
                    "ok 1", "sync",
                ])
            let kept = try await c.query("SELECT string_agg(id::text, ',' ORDER BY id) FROM p").scalar
            #expect(kept == "1,2,5")
            #expect(try await c.query("SELECT count(*) FROM d").scalar == "0")
            await c.close()
        }
    }

    /// The parameter buffer formats every Int64 as PostgreSQL reads it, keeps NULLs
    /// and multi-byte text, and stays correct when it grows past its first capacity.
    @Test func parameterBufferRoundTripsEdgeValues() async throws {
        try await withTestServer { db in
            let c = try await db.connect()
            let numbers: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1_234_567_890, .max, .min, .min + 1]
            let long = String(repeating: "é", count: 300)
            let rows = try await c.withSession { session -> [[String?]] in
                let count = numbers.count + 3
                let columns = (1...count).map { "$\($0)::text" }.joined(separator: ", ")
                try session.prepare("edge", "SELECT \(columns)", parameterCount: count)
                let params = ParameterBuffer(capacity: 2)
                var results: [[String?]] = []
                for _ in 0..<3 {
                    params.removeAll()
                    for n in numbers { params.append(n) }
                    params.appendNull()
                    params.append(long)
                    params.append("")
                    results.append(try session.queryPrepared("edge", params).rows[0])
                }
                return results
            }
            let expected: [String?] = numbers.map { String($0) } + [nil, long, ""]
            #expect(rows == [expected, expected, expected])
            await c.close()
        }
    }
}
