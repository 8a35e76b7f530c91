import Dispatch
import Foundation
import Synchronization

/// A dedicated OS thread that runs blocking work in the order it is handed over:
/// libpq calls, `wait4`, `/proc` reads. Async callers suspend on a checked
/// continuation meanwhile, so Swift's cooperative pool (two threads on a 2-core
/// machine) never waits on the network, a lock held in the database or a child.
///
/// `State` lives on the thread and never leaves it: each job gets it `inout`, so a
/// value that is not `Sendable` (a libpq session) needs neither a lock nor `@unchecked`.
package final class BlockingWorker<State>: Sendable {
    private struct Queue {
        var jobs: [@Sendable (inout State) -> Void] = []
        var stopping = false
        var ended = false
        var joiners: [CheckedContinuation<Void, Never>] = []
    }

    private enum Next {
        case run(@Sendable (inout State) -> Void)
        case wait
        case end
    }

    private let queue = Mutex(Queue())
    /// One signal per queued job and one for `stop()`.
    private let wakeups = DispatchSemaphore(value: 0)

    /// Starts the thread; `state` makes its state on the thread itself.
    package init(name: String, stackSize: Int = 1 << 20, state: @escaping @Sendable () -> State) {
        let thread = Thread { [self] in
            // Linux gives a new thread its creator's name (a pool thread's); `ps -L` and
            // debuggers show this one, cut to the 15 bytes the kernel keeps.
            // Written to the thread's own comm: Foundation's `Thread.name` reached the kernel
            // only some of the time, and pthread_setname_np is not imported on Linux.
            let comm = String(decoding: name.utf8.prefix(15), as: UTF8.self)
            try? comm.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            loop(state())
        }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    private func loop(_ initial: consuming State) {
        var state = initial
        while true {
            wakeups.wait()
            // A wakeup can find no job: its job was taken on an earlier one.
            let next = queue.withLock { q -> Next in
                if !q.jobs.isEmpty { return .run(q.jobs.removeFirst()) }
                return q.stopping ? .end : .wait
            }
            switch next {
            case .run(let job): job(&state)
            case .wait: continue
            case .end: break
            }
            if case .end = next { break }
        }
        _ = consume state  // the state ends on its thread (a session's PQfinish), before anyone is told
        let joiners = queue.withLock { q in
            q.ended = true
            defer { q.joiners.removeAll() }
            return q.joiners
        }
        for joiner in joiners { joiner.resume() }
    }

    /// Queues a job; false when the worker is already stopping.
    @discardableResult
    package func submit(_ job: @escaping @Sendable (inout State) -> Void) -> Bool {
        let accepted = queue.withLock { q in
            guard !q.stopping else { return false }
            q.jobs.append(job)
            return true
        }
        if accepted { wakeups.signal() }
        return accepted
    }

    /// Runs `body` on the thread and resumes the caller with its result; throws
    /// `stopped` when the worker no longer takes work.
    package func run<T: Sendable, Failure: Error>(
        orIfStopped stopped: @autoclosure () -> Failure,
        _ body: @escaping @Sendable (inout State) throws(Failure) -> T
    ) async throws(Failure) -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, Failure>, Never>) in
            let accepted = submit { state in
                do throws(Failure) { continuation.resume(returning: .success(try body(&state))) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(stopped())) }
        }
        return try result.get()
    }

    /// Lets the queued jobs finish, then ends the thread. Does not wait.
    package func stop() {
        let first = queue.withLock { q in
            defer { q.stopping = true }
            return !q.stopping
        }
        if first { wakeups.signal() }
    }

    /// Suspends until the thread has ended.
    package func joined() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let over = queue.withLock { q in
                if !q.ended { q.joiners.append(continuation) }
                return q.ended
            }
            if over { continuation.resume() }
        }
    }
}

extension BlockingWorker where State == Void {
    /// A worker without state of its own.
    package convenience init(name: String, stackSize: Int = 1 << 20) {
        self.init(name: name, stackSize: stackSize) { () }
    }
}

/// Runs one blocking call on a thread of its own and resumes the caller with its result.
package func runBlocking<T: Sendable>(
    name: String, stackSize: Int = 256 << 10, _ body: @escaping @Sendable () -> T
) async -> T {
    let worker = BlockingWorker(name: name, stackSize: stackSize)
    defer { worker.stop() }
    // A new worker has not stopped: `Never` is never thrown.
    return await worker.run(orIfStopped: fatalError("a new worker refused work")) { _ in body() }
}

/// Starts blocking work on a thread of its own without waiting for it (a cancel request).
package func startBlocking(name: String, stackSize: Int = 256 << 10, _ body: @escaping @Sendable () -> Void) {
    let worker = BlockingWorker(name: name, stackSize: stackSize)
    worker.submit { _ in body() }
    worker.stop()
}
