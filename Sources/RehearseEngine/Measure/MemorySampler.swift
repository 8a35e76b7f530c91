import BlockingThreads
import Dispatch
import Foundation
import RehearseSupport
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
    /// Signalled by `finish()`: it ends the pause between samples at once.
    private let stop = DispatchSemaphore(value: 0)
    private let worker = BlockingWorker(name: "rehearse-sampler", stackSize: 256 << 10)

    init(serverPID: Int32?, origin: UInt64) {
        let samples = self.samples
        let stop = self.stop
        worker.submit { _ in
            repeat {
                let server = serverPID.map { Self.treeMemory(root: $0) } ?? 0
                let client = ClientMemory.allocatedBytes() ?? 0
                let sample = Sample(at: monotonicNanos() &- origin, server: server, client: client)
                samples.withLock { $0.append(sample) }
            } while stop.wait(timeout: .now() + .milliseconds(50)) == .timedOut
        }
        worker.stop()
    }

    /// A sampler dropped without `finish()` (a repetition that threw) still ends its thread.
    deinit { stop.signal() }

    /// Stops sampling and waits for the thread to end (suspended, not blocking a pool
    /// thread), so no sample lands after the result is read.
    func finish() async -> [Sample] {
        stop.signal()
        await worker.joined()
        return samples.value
    }

    /// Peaks within [from, to] (ns since origin).
    static func peaks(_ samples: [Sample], from: UInt64, to: UInt64) -> (server: Int64?, client: Int64?) {
        let window = samples.filter { $0.at >= from && $0.at <= to + 50_000_000 }
        guard !window.isEmpty else { return (nil, nil) }
        let server = window.map(\.server).max() ?? 0
        return (server > 0 ? server : nil, window.map(\.client).max())
    }

    /// The postmaster and its children, from /proc/<pid>/status counters (O(1) reads, no
    /// page-table walk): every process's private anonymous memory, plus the shared memory
    /// and mapped files once (they are the same pages in every process).
    static func treeMemory(root: Int32) -> Int64 {
        var anonymous: Int64 = 0
        var shared: Int64 = 0
        var files: Int64 = 0
        var pids = [root]
        let children = (try? String(contentsOfFile: "/proc/\(root)/task/\(root)/children", encoding: .utf8)) ?? ""
        pids += children.split(separator: " ").compactMap { Int32($0) }
        for pid in pids {
            let (anon, shmem, file) = counters(pid)
            anonymous += anon
            shared = max(shared, shmem)
            files = max(files, file)
        }
        return anonymous + shared + files
    }

    private static func counters(_ pid: Int32) -> (Int64, Int64, Int64) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0, 0) }
        var anon: Int64 = 0, shmem: Int64 = 0, file: Int64 = 0
        for line in status.split(separator: "\n") where line.hasPrefix("Rss") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kb = Int64(parts[1]) else { continue }
            switch parts[0] {
            case "RssAnon:": anon = kb * 1024
            case "RssShmem:": shmem = kb * 1024
            case "RssFile:": file = kb * 1024
            default: break
            }
        }
        return (anon, shmem, file)
    }
}
