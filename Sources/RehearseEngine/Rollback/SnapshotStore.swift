import Synchronization

/// A named record of a database's schema and data, for rollback verification.
struct Snapshot: Sendable {
    var name: String
    var fingerprint: CatalogFingerprint
    var data: DataChecksum
    /// Migration versions applied when the snapshot was taken.
    var appliedMigrations: [String]
    /// A copy of the database (for `rollback.via: restore`).
    var copyDatabase: String?
}

/// The snapshots of one repetition.
final class SnapshotStore: Sendable {
    private let snapshots = Mutex<[String: Snapshot]>([:])

    func add(_ snapshot: Snapshot) { snapshots.withLock { $0[snapshot.name] = snapshot } }
    func get(_ name: String) -> Snapshot? { snapshots.withLock { $0[name] } }
    var all: [Snapshot] { snapshots.withLock { Array($0.values) } }
}
