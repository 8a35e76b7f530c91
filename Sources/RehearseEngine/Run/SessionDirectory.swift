import Synchronization

/// Which backend process belongs to which step or fault, so the lock observer
/// can tell whose locks it sees in `pg_locks`.
final class SessionDirectory: Sendable {
    enum Owner: Sendable, Hashable {
        case step(String)
        case fault(Int)
    }

    private let owners = Mutex<[Int32: Owner]>([:])
    private let holdersOfTheDatabase = Atomic<Int>(0)

    /// Runs `body` while rehearse's own bystanders (the lock observer) stay off the
    /// database: a snapshot copy (`CREATE DATABASE … TEMPLATE`) fails with 55006 if any
    /// session is connected to its template when it starts.
    func keepingBystandersOff<T>(_ body: () async throws -> T) async rethrows -> T {
        holdersOfTheDatabase.add(1, ordering: .sequentiallyConsistent)
        defer { holdersOfTheDatabase.subtract(1, ordering: .sequentiallyConsistent) }
        return try await body()
    }

    /// Whether a step needs the database to itself: bystanders leave and stay away.
    var bystandersMustLeave: Bool { holdersOfTheDatabase.load(ordering: .sequentiallyConsistent) > 0 }

    func register(_ pid: Int32, as owner: Owner) {
        owners.withLock { $0[pid] = owner }
    }

    func unregister(_ pid: Int32) {
        _ = owners.withLock { $0.removeValue(forKey: pid) }
    }

    func snapshot() -> [Int32: Owner] { owners.withLock { $0 } }
}
