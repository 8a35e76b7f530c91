import Synchronization

/// A value behind a lock, as a reference that closures and threads can share
/// (`Mutex` itself cannot be copied into a closure).
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: Value) { mutex = Mutex(value) }

    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }

    package var value: Value { mutex.withLock { $0 } }
}
