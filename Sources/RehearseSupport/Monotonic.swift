#if canImport(Glibc)
    public import Glibc
#endif

/// CLOCK_MONOTONIC in nanoseconds: cheap enough to read twice per transaction.
/// `@inlinable`: the workload loop in another target reads it twice per transaction, and
/// across a module boundary `@inline(__always)` alone leaves a call (callgrind showed 50
/// instructions a transaction).
@inlinable @inline(__always)
package func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Sleeps the calling (dedicated, non-cooperative) thread until a monotonic instant.
package func sleepUntil(nanos target: UInt64) {
    while true {
        let now = monotonicNanos()
        guard now < target else { return }
        let remaining = target - now
        var ts = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
        nanosleep(&ts, nil)
    }
}

extension Duration {
    package var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        // Saturates instead of trapping: no duration rehearse accepts comes near 584 years.
        guard seconds < 18_000_000_000 else { return .max }
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000
    }
    package var milliseconds: Double { Double(nanoseconds) / 1_000_000 }
}
