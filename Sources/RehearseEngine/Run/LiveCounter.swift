import Synchronization

/// Batches done so far by the running step, for the live progress line. Lanes add in
/// steps of 64 transactions, so the hot path touches the shared line rarely.
final class LiveCounter: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}
