import Foundation
import RehearseResults
import RehearseSupport

extension SummaryTable {
    /// A sweep's predictions under the scenario's table: per step, the predicted duration
    /// and longest lock hold with their intervals and models, then the predicted targets.
    static func predictions(_ doc: ResultsDocument) -> String {
        guard let predictions = doc.predictions, !predictions.isEmpty else { return "" }
        let method = doc.predictionMethod
        let scales = (method?.scales ?? doc.sweep?.map(\.scale) ?? []).map { "\($0)" }.joined(separator: ", ")
        let level = method.map { String(format: "%.0f%%", $0.level * 100) } ?? "95%"
        let predict = predictions.values.first?.scale ?? method?.predict ?? 1
        var out = ""
        if let sweep = doc.sweep, let last = sweep.last {
            out += "  sweep: " + sweep.map { "\($0.scale) \($0.verdict.rawValue)" }.joined(separator: ", ")
            out += " (the table above is scale \(last.scale)'s)\n"
        }
        out += "  predicted at scale \(predict) from scales \(scales) (\(level) prediction interval):\n"
        var rows: [[String]] = [["step", "duration", "interval", "model", "R²", "longest lock hold", "interval", "lock"]]
        // In the scenario's order, as the table above.
        let order = (doc.repetitions.last?.steps.map(\.name) ?? []) + predictions.keys.sorted()
        var seen: Set<String> = []
        for name in order where seen.insert(name).inserted {
            guard let p = predictions[name] else { continue }
            let hold = p.longestHold()
            rows.append([
                name, p.durationMs.map { human($0.value) } ?? "", p.durationMs.map(interval) ?? "",
                p.durationMs.map { model($0.model) } ?? "", p.durationMs.map { String(format: "%.2f", $0.r2) } ?? "",
                hold.map { human($0.fit.value) } ?? "", hold.map { interval($0.fit) } ?? "",
                hold.map { "\($0.relation) \($0.mode)" + (p.lockHoldExact == false ? " (sampled)" : "") } ?? "",
            ])
        }
        out += table(rows, left: [0, 7])
        let targets = predictions.values.flatMap { $0.targets ?? [] }
        if !targets.isEmpty { out += "  predicted targets: \(targets.filter(\.passed).count)/\(targets.count) held (on the upper bound)\n" }
        return out
    }

    static func human(_ ms: Double) -> String {
        ms >= 100_000
            ? String(format: "%.0f s", ms / 1000) : ms >= 1000 ? String(format: "%.1f s", ms / 1000) : String(format: "%.0f ms", ms)
    }

    static func interval(_ fit: ScaleFit) -> String { "\(human(fit.low))–\(human(fit.high))" }

    static func model(_ model: ScaleFit.Model) -> String { model == .linear ? "linear" : "n·log n" }
}
