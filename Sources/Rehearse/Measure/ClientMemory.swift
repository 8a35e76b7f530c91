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

    /// Bytes allocated by the application now (`stats.allocated`), after refreshing the stats epoch.
    static func allocatedBytes() -> Int64? {
        refreshEpoch()
        var allocated = 0
        var length = MemoryLayout<Int>.size
        guard mallctl("stats.allocated", &allocated, &length, nil, 0) == 0 else { return nil }
        return Int64(allocated)
    }

    /// Bytes of physical memory jemalloc holds (`stats.resident`).
    static func residentBytes() -> Int64? {
        refreshEpoch()
        var resident = 0
        var length = MemoryLayout<Int>.size
        guard mallctl("stats.resident", &resident, &length, nil, 0) == 0 else { return nil }
        return Int64(resident)
    }
}
