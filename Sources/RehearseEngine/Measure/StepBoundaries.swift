import Synchronization

/// The seconds of a repetition in which a step began or ended, published by the
/// engine as they happen. A background workload keeps whole only the transactions
/// of those seconds, the ones a step's impact window cuts through; every other
/// second it keeps as the timeline's compact histogram, so its memory grows with
/// seconds and steps, not with transactions.
final class StepBoundaries: Sendable {
    private let seconds = Mutex<Set<Int>>([])

    /// A step began or ended `nanos` after the repetition began.
    func mark(nanos: UInt64) {
        let second = Self.second(ofMicros: Int64(nanos / 1000))
        _ = seconds.withLock { $0.insert(second) }
    }

    func contains(second: Int) -> Bool { seconds.withLock { $0.contains(second) } }

    /// The second of a time (µs since the repetition began), taken on the 16 µs grid
    /// of the transactions' due times, as an impact window's bounds are.
    static func second(ofMicros micros: Int64) -> Int { Int(TransactionSample.onGrid(micros) / 1_000_000) }
}
