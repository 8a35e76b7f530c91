public import Foundation

/// A `synthesize` step: fill tables that earlier steps created with rows shaped like
/// the scenario's profile (`data.profile`), at `scale` of its row counts.
public struct SynthesizeSpec: Sendable {
    /// Resolved absolute path of the profile (`data.profile`).
    public var profileFile: URL
    /// Loaded and checked when the scenario is; nil only while the builder has not reached `data`.
    public var profile: Profile?
    /// Fraction of the profile's row counts (default 1.0).
    public var scale: Double
    /// The step wrote its own `scale`; without one it takes a `sweep`'s scales.
    public var scaleGiven = false
    /// Only these profiled tables (nil: every one).
    public var tables: [String]?
    /// The same seed generates the same rows (the default is fixed too).
    public var seed: UInt64

    public static let defaultSeed: UInt64 = 0
    /// Scales a rehearsal can mean: a millionth to a thousand times production.
    public static let scaleRange = 0.000001...1000.0
}

/// The scenario's `data:` section (scenario-format.md, *Production-shaped data*).
public struct DataSettings: Sendable {
    public var profileFile: URL?
    public var profile: Profile?
    public init() {}
}
