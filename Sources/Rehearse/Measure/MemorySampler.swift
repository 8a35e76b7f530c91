import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Samples the server's memory (the sum of its processes' proportional set
/// size) and rehearse's own heap (jemalloc) every 50 ms on a thread of its own.
final class MemorySampler: Sendable {
    struct Sample: Sendable {
        var at: UInt64
        var server: Int64
        var client: Int64
    }

    private let samples = Locked<[Sample]>([])
    private let stop = StopSignal()
    private let done = Locked<Bool>(false)

    init(serverPID: Int32?, origin: UInt64) {
        let samples = self.samples
        let stop = self.stop
        let done = self.done
        let thread = Thread {
            while !stop.isStopped {
                let server = serverPID.map { Self.treeMemory(root: $0) } ?? 0
                let client = ClientMemory.allocatedBytes() ?? 0
                let sample = Sample(at: monotonicNanos() &- origin, server: server, client: client)
                samples.withLock { $0.append(sample) }
                sleepUntil(nanos: monotonicNanos() + 50_000_000)
            }
            done.withLock { $0 = true }
        }
        thread.stackSize = 256 << 10
        thread.start()
    }

    func finish() -> [Sample] {
        stop.stop()
        return samples.value
    }

    /// Peaks within [from, to] (ns since origin).
    static func peaks(_ samples: [Sample], from: UInt64, to: UInt64) -> (server: Int64?, client: Int64?) {
        let window = samples.filter { $0.at >= from && $0.at <= to + 50_000_000 }
        guard !window.isEmpty else { return (nil, nil) }
        let server = window.map(\.server).max() ?? 0
        return (server > 0 ? server : nil, window.map(\.client).max())
    }

    /// The postmaster and its children: PSS where the kernel gives it, else RSS.
    static func treeMemory(root: Int32) -> Int64 {
        var total = processMemory(root)
        let children = (try? String(contentsOfFile: "/proc/\(root)/task/\(root)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ Int32($0) }) { total += processMemory(child) }
        return total
    }

    private static func processMemory(_ pid: Int32) -> Int64 {
        if let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) {
            for line in rollup.split(separator: "\n") where line.hasPrefix("Pss:") {
                let kb = line.split(separator: " ").dropFirst().first.flatMap { Int64($0) } ?? 0
                return kb * 1024
            }
        }
        if let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) {
            let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int64($0) } ?? 0
            return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
        }
        return 0
    }
}
