import RehearseResults
import RehearseSupport

extension ResultsDocument {
    /// A load slice's document measures a share of each workload: no verdict of its own.
    /// It says `blocked`, with the reason, so that nothing takes it for an approval, and its
    /// expectation is left to `merge`, which judges the slices together.
    mutating func awaitMerge(of slice: LoadSlice) {
        loadSlice = LoadSliceInfo(slice: slice.description, runId: slice.runID)
        verdict = .blocked
        reasons = ["load slice \(slice) of run \(slice.runID): judged only when merged with the other slices (rehearse merge)"]
        expectation = .init(met: true, mismatches: [])
    }
}
