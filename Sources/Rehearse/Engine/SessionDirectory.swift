import Synchronization

/// Which backend process belongs to which step or fault, so the lock observer
/// can tell whose locks it sees in `pg_locks`.
final class SessionDirectory: Sendable {
    enum Owner: Sendable, Hashable {
        case step(String)
        case fault(Int)
    }

    private let owners = Mutex<[Int32: Owner]>([:])

    func register(_ pid: Int32, as owner: Owner) {
        owners.withLock { $0[pid] = owner }
    }

    func unregister(_ pid: Int32) {
        _ = owners.withLock { $0.removeValue(forKey: pid) }
    }

    func owner(of pid: Int32) -> Owner? { owners.withLock { $0[pid] } }

    func snapshot() -> [Int32: Owner] { owners.withLock { $0 } }
}
