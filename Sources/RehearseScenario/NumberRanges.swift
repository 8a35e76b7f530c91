/// The range of every kind of number a scenario or the command line gives; the README's
/// "Ranges of numbers" table says the same. Values outside are invalid input (exit 2 with
/// the position), never a trap: a conversion from `Double` to an integer past its range
/// kills the process (SIGILL) with the server orphaned and no results document.
public enum NumberRanges {
    /// Durations: timeouts, pauses, fault `after`/`hold`, workload `duration`, duration targets.
    /// A week is far past any rehearsal and keeps every timeout inside PostgreSQL's
    /// `lock_timeout`/`statement_timeout` (at most 2^31-1 ms, about 24.8 days).
    public static let maxDurationSeconds: Double = 7 * 86_400
    /// Sizes: memory caps and memory targets. One TiB.
    public static let maxSizeBytes: Int64 = 1 << 40
    /// Open-model rates: one transaction an hour to a million a second.
    public static let minRatePerSecond: Double = 1.0 / 3600
    public static let maxRatePerSecond: Double = 1_000_000
    /// Workload `iterations`.
    public static let maxIterations = 1_000_000_000
    /// Count targets (`errors`, `batches`, `rows`) and check expectations: 2^53, the largest
    /// whole number a double (the results' number type) holds exactly.
    public static let maxCount: Double = 9_007_199_254_740_992
    /// `repeat:` and `--repeat`.
    public static let maxRepeat = 1000
    /// `--threshold`: a relative change of 0% to 1000%.
    public static let maxThreshold: Double = 10
}
