import PostgresClient
import RehearseSupport

/// Runs work that a timeout or an interrupt (the calling task's cancellation) cancels,
/// and says which of them ended it. Steps and the rollback share it, so both obey
/// `--step-timeout` and both give way to SIGINT the same way.
enum Deadline {
    enum Ending: Sendable, Equatable {
        case finished
        case timedOut
        case interrupted
    }

    static func run<T: Sendable>(
        timeout: Duration, _ body: @escaping @Sendable () async -> T
    ) async -> (value: T, ending: Ending) {
        // Whether the timer fired before the work was over: decided under one lock, which
        // the work takes as it returns, so work that finished as the timer went off is not
        // reported as timed out.
        let state = Locked((finished: false, fired: false))
        let work = Task {
            let value = await body()
            state.withLock { $0.finished = true }
            return value
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            let fired = state.withLock { s in
                if !s.finished { s.fired = true }
                return s.fired
            }
            if fired { work.cancel() }
        }
        let interrupted = CompletionFlag()
        let value = await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            interrupted.set()
            work.cancel()
        }
        timer.cancel()
        if state.withLock({ $0.fired }) { return (value, .timedOut) }
        return (value, interrupted.isSet ? .interrupted : .finished)
    }
}
