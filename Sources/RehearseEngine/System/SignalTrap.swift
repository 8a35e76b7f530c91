import Foundation
import RehearseSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT/SIGTERM handling: the first signal cancels the run so it can close
/// its sessions, write an `interrupted` results document and stop its
/// servers; if that has not happened within a grace period (or a second
/// signal comes), every registered cleanup runs and the process exits.
public final class SignalTrap: Sendable {
    public static let shared = SignalTrap()
    /// The signal sources deliver here, one at a time.
    private let queue = DispatchQueue(label: "rehearse.signals")
    private struct State {
        var sources: [any DispatchSourceSignal] = []
        var received: Int32?
        var onSignal: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    /// Installs the handlers, as early as possible: a signal that arrives before there
    /// is work to cancel is remembered, and `onInterrupt` is then called at once.
    public func install(grace: Duration = .seconds(10)) {
        state.withLock { state in
            guard state.sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { [unowned self] in self.handle(sig, grace: grace) }
                source.resume()
                state.sources.append(source)
            }
        }
    }

    /// Sets what the first signal does (cancel the run's work).
    public func onInterrupt(_ cancel: @escaping @Sendable () -> Void) {
        let alreadyReceived = state.withLock { state in
            state.onSignal = cancel
            return state.received != nil
        }
        if alreadyReceived { cancel() }
    }

    /// The signal that interrupted the run, if any.
    public var signalReceived: Int32? { state.withLock { $0.received } }

    private func handle(_ sig: Int32, grace: Duration) {
        let (again, onSignal) = state.withLock { state in
            defer { state.received = sig }
            return (state.received != nil, state.onSignal)
        }
        if again {
            Self.exitAfterCleanup(sig)
        }
        FileHandle.standardError.write(Data("\nrehearse: \(sig == SIGINT ? "SIGINT" : "SIGTERM") — stopping, cleaning up…\n".utf8))
        onSignal?()
        let seconds = Double(grace.components.seconds)
        queue.asyncAfter(deadline: .now() + seconds) { Self.exitAfterCleanup(sig) }
    }

    /// Runs every cleanup left (children killed first, then servers, databases, folders)
    /// and ends the process with `_exit`: `exit()` would run atexit handlers and static
    /// destructors while other threads may still be inside libpq (a connect, a query),
    /// which crashed one run in ten under two quick signals.
    public static func exitAfterCleanup(_ sig: Int32) -> Never {
        exitLock.lock()  // one thread cleans up and exits; another that comes here waits for good
        CleanupRegistry.shared.runAll()
        fflush(nil)  // every C stream: the summary table printed just before
        _exit(ExitStatus.interrupted(by: sig))
    }

    private static let exitLock = NSLock()
}
