import Foundation
import RehearseResults
import RehearseSupport

extension HTMLReport {
    /// A sweep's predictions: a table of every step's, then a chart per step of what its
    /// predicted targets judge (its duration when it has none): each repetition at each
    /// scale, the fitted curve, and the predicted point with its interval, on log-log axes
    /// (scales a hundredfold apart and times that grow with them stay readable).
    static func predictionsSection(_ doc: ResultsDocument) -> String {
        guard let predictions = doc.predictions, !predictions.isEmpty else { return "" }
        let method = doc.predictionMethod
        let scales = (method?.scales ?? doc.sweep?.map(\.scale) ?? []).map { "\($0)" }.joined(separator: ", ")
        let predict = predictions.values.first?.scale ?? method?.predict ?? 1
        let level = String(format: "%.0f%%", (method?.level ?? 0.95) * 100)
        var html = "<h3>Predicted at scale \(predict)</h3><p class=\"muted\">From scales \(HTML.escape(scales)); "
        html += "\(level) prediction interval of the better of a linear and an n·log n least-squares fit over every repetition."
        html += "</p>"
        if let sweep = doc.sweep, let last = sweep.last {
            html += "<table>" + HTML.row(["scale", HTML.Cell("verdict", "l"), "repetitions", HTML.Cell("reasons", "l")], header: true)
            for scale in sweep {
                html += HTML.row([
                    HTML.Cell("\(scale.scale)"), .raw(badge(scale.verdict.rawValue, scale.verdict.rawValue), "l"),
                    HTML.Cell("\(scale.repetitions.count)"), HTML.Cell(scale.reasons.joined(separator: "; "), "l"),
                ])
            }
            html += "</table><p class=\"muted\">The steps, locks and targets above are scale \(last.scale)'s.</p>"
        }
        html += "<table>"
        html += HTML.row(
            [
                "step", "duration", "interval", HTML.Cell("model", "l"), "R²", "longest lock hold", "interval",
                HTML.Cell("lock", "l"), HTML.Cell("predicted targets", "l"),
            ], header: true)
        let names = orderedSteps(doc, predictions)
        for name in names {
            guard let p = predictions[name] else { continue }
            let hold = p.longestHold()
            let targets = (p.targets ?? []).map { "\($0.target): \($0.passed ? "held" : "missed")" }.joined(separator: "; ")
            let missed = (p.targets ?? []).contains { !$0.passed }
            html += HTML.row([
                HTML.Cell(name), HTML.Cell(p.durationMs.map { SummaryTable.human($0.value) } ?? ""),
                HTML.Cell(p.durationMs.map(SummaryTable.interval) ?? ""),
                HTML.Cell(p.durationMs.map { SummaryTable.model($0.model) } ?? "", "l"),
                HTML.Cell(p.durationMs.map { String(format: "%.2f", $0.r2) } ?? ""),
                HTML.Cell(hold.map { SummaryTable.human($0.fit.value) } ?? ""), HTML.Cell(hold.map { SummaryTable.interval($0.fit) } ?? ""),
                HTML.Cell(hold.map { "\($0.relation) \($0.mode)" + (p.lockHoldExact == false ? " (sampled)" : "") } ?? "", "l"),
                HTML.Cell(targets, missed ? "l failed" : "l"),
            ])
        }
        html += "</table>"
        var charts = ""
        for name in names {
            guard let p = predictions[name] else { continue }
            for metric in chartedMetrics(p) { charts += predictionChart(step: name, metric: metric, prediction: p, doc: doc) }
        }
        return html + (charts.isEmpty ? "" : "<div class=\"charts\">\(charts)</div>")
    }

    /// The steps in the scenario's order, then any others.
    private static func orderedSteps(_ doc: ResultsDocument, _ predictions: [String: StepPrediction]) -> [String] {
        var seen: Set<String> = []
        return ((doc.repetitions.last?.steps.map(\.name) ?? []) + predictions.keys.sorted()).filter {
            predictions[$0] != nil && seen.insert($0).inserted
        }
    }

    enum ChartedMetric: Equatable {
        case duration
        case lockHold(relation: String, mode: String)
    }

    /// What the step's predicted targets judge; its duration when it has none.
    static func chartedMetrics(_ p: StepPrediction) -> [ChartedMetric] {
        var metrics: [ChartedMetric] = []
        for target in p.targets ?? [] {
            var metric: ChartedMetric?
            if target.metric == "duration" {
                metric = .duration
            } else if let relation = target.relation, let mode = target.mode {
                metric = .lockHold(relation: relation, mode: mode)
            }
            if let metric, !metrics.contains(metric) { metrics.append(metric) }
        }
        if metrics.isEmpty && p.durationMs != nil { metrics = [.duration] }
        return metrics
    }

    static func predictionChart(step: String, metric: ChartedMetric, prediction p: StepPrediction, doc: ResultsDocument) -> String {
        let fit: ScaleFit?
        let what: String
        switch metric {
        case .duration:
            fit = p.durationMs
            what = "duration"
        case .lockHold(let relation, let mode):
            fit = p.lockHold?[relation]?[mode]
            what = "\(relation) \(mode) held"
        }
        guard let fit else { return "" }
        // Every repetition's measurement at every scale.
        var measured: [(scale: Double, ms: Double)] = []
        for scale in doc.sweep ?? [] {
            for rep in scale.repetitions {
                guard let s = rep.steps.first(where: { $0.name == step && $0.status == .ok }) else { continue }
                switch metric {
                case .duration: measured.append((scale.scale, s.durationMs))
                case .lockHold(let relation, let mode):
                    let held = (s.locksTaken ?? []).filter { $0.relation == relation && $0.mode == mode }.map(\.heldMs).max()
                    if let held { measured.append((scale.scale, held)) }
                }
            }
        }
        let targets = (p.targets ?? []).filter { target in
            switch metric {
            case .duration: target.metric == "duration"
            case .lockHold(let relation, let mode): target.relation == relation && target.mode == mode
            }
        }
        let thresholds = targets.map(\.limit)
        let lowestScale = measured.map(\.scale).min() ?? p.scale
        let xs = (log10(min(lowestScale, p.scale) / 1.6), log10(max(lowestScale, p.scale) * 1.6))
        let positive = (measured.map(\.ms) + [fit.value, fit.low, fit.high] + thresholds).filter { $0 > 0 }
        let yLow = max((positive.min() ?? 1) / 2, 0.01), yHigh = (positive.max() ?? 1) * 2
        let ys = (log10(yLow), log10(yHigh))
        var curve: [(x: Double, y: Double)] = []
        for i in 0...60 {
            let scale = pow(10, log10(lowestScale) + (log10(p.scale) - log10(lowestScale)) * Double(i) / 60)
            if let y = fit.curve(at: scale), y > 0 { curve.append((log10(scale), log10(y))) }
        }
        var series = [SVGChart.Series(label: "fit", colour: "#2f5fd0", points: curve)]
        for target in targets where target.limit > 0 {
            let y = log10(target.limit)
            series.append(
                .init(
                    label: "< \(SummaryTable.human(target.limit))", colour: "#c0392b", points: [(xs.0, y), (xs.1, y)], dashed: true,
                    width: 1.5))
        }
        let markers = measured.map {
            SVGChart.Marker(
                x: log10($0.scale), y: log10($0.ms), colour: "#556", title: "scale \($0.scale): \(SummaryTable.human($0.ms))")
        }
        let predicted = SVGChart.Marker(
            x: log10(p.scale), y: log10(max(fit.value, yLow)), colour: "#e67e22", radius: 5,
            title: "predicted at scale \(p.scale): \(SummaryTable.human(fit.value)) (\(SummaryTable.interval(fit)))")
        let bar = SVGChart.Bar(
            x: log10(p.scale), low: log10(max(fit.low, yLow)), high: log10(fit.high), colour: "#e67e22",
            title: "95% interval \(SummaryTable.interval(fit))")
        let scales = Set(measured.map(\.scale) + [p.scale]).sorted()
        let chart = SVGChart(
            width: 520, height: 250, xLabel: "scale (log)", yLabel: "time (log)", series: series,
            xTicks: scales.map { (log10($0), "\($0)") }, xRange: xs.0...xs.1, yTicks: logTicks(yLow, yHigh), yRange: ys.0...ys.1,
            markers: markers + [predicted], bars: [bar], left: 70)
        return "<figure style=\"max-width:522px\"><figcaption><b>\(HTML.escape(step))</b>: \(HTML.escape(what)), predicted "
            + "<b>\(SummaryTable.human(fit.value))</b> (\(SummaryTable.interval(fit)), \(SummaryTable.model(fit.model)), "
            + "R² \(String(format: "%.2f", fit.r2))); dots: each repetition</figcaption>\(chart.render())</figure>"
    }

    /// 1, 2 and 5 of each power of ten within the range (log10 positions), labelled in ms or s.
    static func logTicks(_ low: Double, _ high: Double) -> [(Double, String)] {
        var ticks: [(Double, String)] = []
        var decade = pow(10, floor(log10(low)))
        while decade <= high {
            for m in [1.0, 2, 5] where m * decade >= low && m * decade <= high {
                let v = m * decade
                ticks.append((log10(v), v >= 1000 ? SVGChart.short(v / 1000) + " s" : SVGChart.short(v) + " ms"))
            }
            decade *= 10
        }
        // Many decades: keep the powers of ten only.
        return ticks.count > 8 ? ticks.filter { abs($0.0 - $0.0.rounded()) < 1e-9 } : ticks
    }

}
