public import Foundation
package import RehearseResults

/// How `rehearse run` runs scenarios.
public struct RunOptions: Sendable {
    /// Overrides every scenario's `repeat`.
    public var repeatOverride: Int?
    /// Where results go (`results/` by default).
    public var outDirectory: URL = URL(fileURLWithPath: "results")
    /// Write the results documents to `outDirectory`.
    public var writeResults = true
    /// An existing server (connection string or URL) instead of the embedded one.
    public var server: String?
    /// Keep the server/databases after the run.
    public var keep = false
    /// Explicit folder of the PostgreSQL server programs.
    public var pgBin: String?
    /// More folders of server programs (`--pg-bin` given again), searched for `postgresMajor`.
    public var pgBins: [String] = []
    /// The PostgreSQL major this run is for (`database.versions`, `--pg`); nil: the server chosen as before.
    public var postgresMajor: Int?
    /// The default timeout of a step.
    public var stepTimeout: Duration = .seconds(1800)
    /// Print progress lines (to stderr).
    public var progress = false
    /// `run --shard`: run only these repetitions, and say so in the document.
    package var shard: ShardInfo?
    /// `run --load-slice`: drive this share of the workloads of a run several processes share.
    package var loadSlice: LoadSlice?

    public init() {}

    /// `environment.server` of the results: `external` with `--server`, else `embedded`.
    var serverKind: ServerKind { server == nil ? .embedded : .external }
}
