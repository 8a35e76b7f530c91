import RehearseReport
import RehearseResults
import RehearseSupport

extension Compare {
    /// `--across-versions`: the older major's documents (BASELINE) against the newer's (CURRENT).
    func compareAcrossVersions(comparator: RehearseResults.Comparator, format: ComparisonFormatter.Format) -> Int32 {
        let report: ComparisonReport
        let newer: [ResultsDocument]
        do {
            newer = try ResultsLoader.load(current)
            report = try comparator.compareAcrossVersions(older: try ResultsLoader.load(baseline), newer: newer)
        } catch {
            printError("rehearse: \(error)")
            return ExitStatus.of(error)
        }
        return printReport(report, currents: newer, comparator: comparator, format: format)
    }
}
