import BlockingThreads
import Foundation
import RehearseSupport
import Testing

/// The one blocking-worker primitive (issue 16 item 4): sessions, cancels, child waits and
/// the memory sampler all run on it.
@Suite("Blocking worker")
struct BlockingWorkerTests {
    struct Stopped: Error, Equatable {}

    @Test func jobsRunInOrderOnTheWorkersThreadWithItsState() async throws {
        let worker = BlockingWorker<[Int]>(name: "test-worker") { [] }
        for n in 1...5 { worker.submit { $0.append(n) } }
        let (seen, thread) = try await worker.run(orIfStopped: Stopped()) { (state: inout [Int]) throws(Stopped) in
            (state, threadName())
        }
        #expect(seen == [1, 2, 3, 4, 5])
        #expect(thread == "test-worker")
        worker.stop()
        await worker.joined()
        await #expect(throws: Stopped()) {
            try await worker.run(orIfStopped: Stopped()) { (_: inout [Int]) throws(Stopped) in 0 }
        }
    }

    @Test func stopLetsQueuedJobsFinishAndJoinWaitsForThem() async {
        let worker = BlockingWorker(name: "test-join")
        let done = Locked(0)
        for _ in 0..<3 {
            worker.submit { _ in
                usleep(5_000)
                done.withLock { $0 += 1 }
            }
        }
        worker.stop()
        await worker.joined()
        await worker.joined()  // a second join returns too
        #expect(done.value == 3)
        #expect(!worker.submit { _ in })
    }

    @Test func theStateEndsOnItsThreadWhenTheWorkerStops() async {
        final class Resource {
            let onEnd: @Sendable () -> Void
            init(onEnd: @escaping @Sendable () -> Void) { self.onEnd = onEnd }
            deinit { onEnd() }
        }
        let endedOn = Locked<String?>(nil)
        let worker = BlockingWorker<Resource?>(name: "test-owner") {
            Resource { endedOn.withLock { $0 = threadName() } }
        }
        worker.stop()
        await worker.joined()
        #expect(endedOn.value == "test-owner")
    }

    @Test func runBlockingAnswersFromAThreadOfItsOwn() async {
        let name = await runBlocking(name: "test-once") { threadName() }
        #expect(name == "test-once")
    }
}

/// The OS thread's name, as `ps -L` shows it.
private func threadName() -> String {
    ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
}
