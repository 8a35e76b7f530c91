/// What a load slice's document holds (`run --load-slice 2/4 --run-id ID`): its share of each
/// workload of run `run_id`. Its `verdict` is not the scenario's: `merge` judges the slices
/// together (until then the document says `blocked`, with that reason).
public struct LoadSliceInfo: Codable, Sendable, Equatable {
    public var slice: String
    public var runId: String

    package init(slice: String, runId: String) {
        self.slice = slice
        self.runId = runId
    }

    /// `2` of `2/4`.
    package var index: Int? { slice.split(separator: "/").first.flatMap { Int($0) } }
    /// `4` of `2/4`.
    package var count: Int? { slice.split(separator: "/").last.flatMap { Int($0) } }
}
