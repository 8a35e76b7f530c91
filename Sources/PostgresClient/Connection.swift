import BlockingThreads
import CLibPQ
import Foundation
import Synchronization

/// A PostgreSQL session owned by a dedicated thread, used from async code.
///
/// Every libpq call of this connection runs on its own long-lived thread (a
/// `BlockingWorker` whose state is the session); callers suspend on a continuation
/// meanwhile, so Swift's cooperative pool never blocks on the network or on a lock
/// held in the database.
public final class Connection: Sendable {
    private let thread: BlockingWorker<Session?>
    private let canceller: Mutex<CancelHandle?>
    public let backendPID: Int32
    public let serverVersion: Int

    private init(thread: BlockingWorker<Session?>, cancel: CancelHandle?, pid: Int32, version: Int) {
        self.thread = thread
        self.canceller = Mutex(cancel)
        self.backendPID = pid
        self.serverVersion = version
    }

    /// Connects with a libpq connection string or URL.
    /// `overrides` are libpq keywords (`dbname`, `application_name`, …) that replace the string's own.
    public static func connect(
        _ conninfo: String, overrides: [(String, String)] = [], label: String = "rehearse-pq"
    ) async throws -> Connection {
        let overrides = overrides.map { [$0.0, $0.1] }
        let thread = BlockingWorker<Session?>(name: label) { nil }
        do {
            let (cancel, pid, version) = try await thread.run(orIfStopped: PostgresError.closed) {
                (state: inout Session?) throws(PostgresError) -> (CancelHandle?, Int32, Int) in
                let session = try Session(conninfo: conninfo, overrides: overrides.map { ($0[0], $0[1]) })
                state = session
                return (session.makeCanceller().map(CancelHandle.init), session.backendPID, session.serverVersion)
            }
            return Connection(thread: thread, cancel: cancel, pid: pid, version: version)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// Runs `body` with the session, on the session's own thread.
    public func withSession<T: Sendable>(_ body: @escaping @Sendable (Session) throws -> T) async throws -> T {
        try await thread.run(orIfStopped: PostgresError.closed as any Error) { (state: inout Session?) throws -> T in
            guard let session = state else { throw PostgresError.closed }
            return try body(session)
        }
    }

    /// Runs a script with the simple query protocol.
    @discardableResult
    public func execute(_ sql: String) async throws -> [QueryResult] {
        try await withSession { try $0.execute(sql) }
    }

    /// Runs one statement with text parameters.
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) async throws -> QueryResult {
        try await withSession { try $0.query(sql, params) }
    }

    /// Asks the server to cancel whatever this session is running now. Safe from any
    /// thread, but it waits for a connection to the server: off the cooperative pool,
    /// use `cancelSoon`.
    public func cancel() {
        // The handle is taken under the lock and used outside it, so `close()` never
        // waits for a cancel's round trip; the last reference frees it.
        guard let handle = canceller.withLock({ $0 }) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle.pointer, &buffer, Int32(buffer.count))
    }

    /// Cancels what this session runs, from a thread of its own (PQcancel opens a
    /// connection to the server and waits for it: never on Swift's cooperative pool).
    ///
    /// With `until`, the cancel repeats every `interval` until that flag is set, for
    /// at most `limit`. One cancel reaches only the statement running at that moment: one
    /// that lands between two statements of a transaction, or ahead of a pipeline's next
    /// transaction, reaches nothing. Only for work that ends its connection's use when
    /// cancelled (a workload's lanes): a repeated cancel would also reach the cleanup
    /// statements of work that goes on.
    public func cancelSoon(
        repeatingUntil finished: CompletionFlag? = nil, interval: Duration = .milliseconds(50),
        limit: Duration = .seconds(10)
    ) {
        let pause = useconds_t(interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        let rounds = finished == nil ? 1 : max(Int(limit / interval), 1)
        startBlocking(name: "rehearse-cancel", stackSize: 1 << 20) { [self] in
            for round in 0..<rounds {
                if finished?.isSet == true { return }
                if round > 0 { usleep(pause) }
                if finished?.isSet == true { return }
                cancel()
            }
        }
    }

    /// Closes the session and ends its thread. Waits for the running job, so
    /// callers that must not wait should `cancel()` first.
    public func close() async {
        canceller.withLock { $0 = nil }
        _ = try? await thread.run(orIfStopped: PostgresError.closed) { (state: inout Session?) throws(PostgresError) in state = nil }
        thread.stop()
    }

    /// A connection dropped without `close()` still ends its thread (and, on it, its session).
    deinit { thread.stop() }
}

/// Set once, when a piece of work has returned; read from any thread.
public final class CompletionFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { flag.load(ordering: .acquiring) }
    public func set() { flag.store(true, ordering: .releasing) }
}

/// libpq's cancel object, freed with its last reference. PQcancel is documented as
/// safe from any thread; the object is never changed after it is made.
final class CancelHandle: @unchecked Sendable {  // immutable; PQcancel only reads it
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQfreeCancel(pointer) }
}

extension Connection {
    /// Connects, runs `body`, and closes the connection before returning (also on errors),
    /// so no session outlives the work that needed it.
    public static func with<T>(
        _ conninfo: String, overrides: [(String, String)] = [], label: String = "rehearse-pq",
        _ body: (Connection) async throws -> T
    ) async throws -> T {
        let connection = try await connect(conninfo, overrides: overrides, label: label)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}
