import RehearseResults

extension OpenMetrics {
    /// A sweep's predictions as gauges, so that a dashboard follows what each deploy would do
    /// at production's size: `rehearse_step_predicted_duration_seconds` and
    /// `rehearse_step_predicted_lock_hold_seconds` (per `relation` and `mode`), each with
    /// `bound` `value`, `low` and `high` (the interval) and the predicted `scale`.
    static func predictionFamilies(_ documents: [ResultsDocument]) -> [Family] {
        var duration = Family(
            name: "rehearse_step_predicted_duration_seconds", type: "gauge", unit: "seconds",
            help: "Duration of a step predicted at a sweep's scale, with the bounds of its 95% prediction interval.")
        var hold = Family(
            name: "rehearse_step_predicted_lock_hold_seconds", type: "gauge", unit: "seconds",
            help: "Longest hold of a table lock by one transaction of a step, predicted at a sweep's scale, with its interval.")
        var seen = Set<[String]>()
        for doc in documents {
            for step in stepNames(doc) + (doc.predictions ?? [:]).keys.sorted() {
                guard let p = doc.predictions?[step] else { continue }
                let labels = Self.labels(doc, step: step) + [("scale", number(p.scale))]
                guard seen.insert(labels.map { $0.1 }).inserted else { continue }
                func add(_ family: inout Family, _ labels: [(String, String)], _ fit: ScaleFit) {
                    for (bound, ms) in [("value", fit.value), ("low", fit.low), ("high", fit.high)] {
                        family.add(labels + [("bound", bound)], ms / 1000)
                    }
                }
                if let fit = p.durationMs { add(&duration, labels, fit) }
                for (relation, modes) in (p.lockHold ?? [:]).sorted(by: { $0.key < $1.key }) {
                    for (mode, fit) in modes.sorted(by: { $0.key < $1.key }) {
                        add(&hold, labels + [("relation", relation), ("mode", mode)], fit)
                    }
                }
            }
        }
        return [duration, hold]
    }
}
