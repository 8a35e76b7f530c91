/// The work a step made the server do: counters that do not jitter with the machine's load
/// (results-format.md, `work`). `attributed` is false when something besides the step may
/// have added to them (a background workload, a lock fault's holder, autovacuum, a checkpoint
/// inside the step); `compare` then shows them but does not judge them.
public struct WorkCounters: Codable, Sendable, Equatable {
    /// WAL written during the step (the WAL insert position before and after); absent with
    /// `--server`, whose WAL other databases share.
    public var walBytes: Int64?
    public var sharedBlksHit: Int64
    public var sharedBlksRead: Int64
    public var tempBytes: Int64
    /// Rows inserted, updated and deleted in the repetition's database.
    public var rows: Int64
    public var attributed: Bool

    package init(walBytes: Int64? = nil, sharedBlksHit: Int64, sharedBlksRead: Int64, tempBytes: Int64, rows: Int64, attributed: Bool) {
        self.walBytes = walBytes
        self.sharedBlksHit = sharedBlksHit
        self.sharedBlksRead = sharedBlksRead
        self.tempBytes = tempBytes
        self.rows = rows
        self.attributed = attributed
    }
}
