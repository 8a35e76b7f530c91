import CJemalloc

/// rehearse's own heap, from jemalloc's statistics (the process links jemalloc as its malloc).
enum ClientMemory {
    /// jemalloc's statistics are cached until the epoch advances.
    private static func refreshEpoch() {
        var epoch: UInt64 = 1
        var out: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        _ = mallctl("epoch", &out, &size, &epoch, MemoryLayout<UInt64>.size)
    }

    /// Bytes allocated by the application now (`stats.allocated`).
    static func allocatedBytes() -> Int64? { statistic("stats.allocated") }

    private static func statistic(_ name: String) -> Int64? {
        refreshEpoch()
        var value = 0
        var length = MemoryLayout<Int>.size
        guard mallctl(name, &value, &length, nil, 0) == 0 else { return nil }
        return Int64(value)
    }
}
