import Foundation
import RehearseReport
import RehearseResults

extension Report {
    /// `--openmetrics FILE`, written atomically as every file of rehearse's is; `-` is standard
    /// output alone (no "wrote" line), to pipe into `curl --data-binary @-`.
    func writeOpenMetrics(_ documents: [ResultsDocument], to path: String) throws {
        let text = OpenMetrics.render(documents)
        if path == "-" {
            print(text, terminator: "")
        } else {
            try ResultsWriter.writeAtomically(Data(text.utf8), to: URL(fileURLWithPath: path))
            print("wrote \(path)")
        }
    }
}
