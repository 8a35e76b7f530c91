import Foundation
import Synchronization

/// Everything that must be undone whatever happens: servers to stop, folders
/// to remove, databases to drop. Normal code unregisters what it cleaned up;
/// a signal handler runs whatever is left, synchronously, before exiting.
public final class CleanupRegistry: Sendable {
    public static let shared = CleanupRegistry()

    private struct Entry {
        var id: Int
        var label: String
        var action: @Sendable () -> Void
    }

    private let state = Mutex<(next: Int, entries: [Entry])>((0, []))

    /// Registers `action`; returns a token to unregister it.
    @discardableResult
    public func register(_ label: String, _ action: @escaping @Sendable () -> Void) -> Int {
        state.withLock { s in
            s.next += 1
            s.entries.append(Entry(id: s.next, label: label, action: action))
            return s.next
        }
    }

    public func unregister(_ token: Int) {
        state.withLock { s in s.entries.removeAll { $0.id == token } }
    }

    /// Runs one registered action now (if it is still registered) and forgets it.
    public func run(_ token: Int) {
        let entry = state.withLock { s -> Entry? in
            guard let index = s.entries.firstIndex(where: { $0.id == token }) else { return nil }
            return s.entries.remove(at: index)
        }
        entry?.action()
    }

    /// Runs every registered action, newest first, once.
    public func runAll() {
        let entries = state.withLock { s in
            defer { s.entries.removeAll() }
            return s.entries
        }
        for entry in entries.reversed() { entry.action() }
    }
}
