import CLibPQ
import Foundation
import Synchronization

/// A PostgreSQL session owned by a dedicated thread, used from async code.
///
/// Every libpq call of this connection runs on its `SessionThread`; callers
/// suspend on a continuation meanwhile, so Swift's cooperative pool never
/// blocks on the network or on a lock held in the database.
public final class Connection: Sendable {
    private let thread: SessionThread
    private let box: SessionBox
    private let canceller: Mutex<CancelHandle?>
    public let backendPID: Int32
    public let serverVersion: Int

    private init(thread: SessionThread, box: SessionBox, cancel: CancelHandle?, pid: Int32, version: Int) {
        self.thread = thread
        self.box = box
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
        let thread = SessionThread(name: label)
        do {
            let (box, cancel, pid, version) = try await thread.run { () throws -> (SessionBox, CancelHandle?, Int32, Int) in
                let session = try Session(conninfo: conninfo, overrides: overrides.map { ($0[0], $0[1]) })
                let cancel = session.makeCanceller().map(CancelHandle.init)
                return (SessionBox(session), cancel, session.backendPID, session.serverVersion)
            }
            return Connection(thread: thread, box: box, cancel: cancel, pid: pid, version: version)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// Runs `body` with the session, on the session's own thread.
    public func withSession<T: Sendable>(_ body: @escaping @Sendable (Session) throws -> T) async throws -> T {
        let box = self.box
        return try await thread.run {
            guard let session = box.session else { throw PostgresError.closed }
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

    /// Asks the server to cancel whatever this session is running now. Safe from any thread.
    public func cancel() {
        canceller.withLock { handle in
            guard let handle else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(handle.pointer, &buffer, Int32(buffer.count))
        }
    }

    /// Cancels what this session runs, from a thread of its own, now and every
    /// `interval` until `finished` is set. One cancel reaches only the statement running
    /// at that moment: one that lands between two statements of a transaction, or
    /// ahead of a pipeline's next transaction, reaches nothing, so the cancel repeats
    /// until the work that was cancelled has returned. Never on Swift's cooperative
    /// pool: PQcancel opens a connection to the server and waits for it.
    public func keepCancelling(until finished: CompletionFlag, interval: Duration = .milliseconds(50)) {
        let pause = useconds_t(interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        let thread = Thread { [self] in
            while !finished.isSet {
                cancel()
                usleep(pause)
            }
        }
        thread.name = "rehearse-cancel"
        thread.start()
    }

    /// Closes the session and ends its thread. Waits for the running job, so
    /// callers that must not wait should `cancel()` first.
    public func close() async {
        canceller.withLock { handle in
            if let handle { PQfreeCancel(handle.pointer) }
            handle = nil
        }
        let box = self.box
        _ = try? await thread.run { box.close() }
        thread.stop()
    }
}

/// Set once, when a piece of work has returned; read from any thread.
public final class CompletionFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { flag.load(ordering: .acquiring) }
    public func set() { flag.store(true, ordering: .releasing) }
}

/// Holds the session so the thread's jobs can reach it; only the session thread touches `session`.
final class SessionBox: @unchecked Sendable {  // accessed only on the owning SessionThread
    private(set) var session: Session?
    init(_ session: Session) { self.session = session }
    func close() { session = nil }
}

/// libpq's cancel object; PQcancel is documented as safe to call from another thread.
struct CancelHandle: @unchecked Sendable {  // used only under the Connection's Mutex
    let pointer: OpaquePointer
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
