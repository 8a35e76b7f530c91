import Foundation
import RehearseResults
import RehearseHistogram

extension HTMLReport {
    /// Percentiles sampled along the "nines" axis: dense where the tail is.
    static let percentiles: [Double] = stride(from: 0.0, through: 4.0, by: 0.05).map { 100 * (1 - pow(10, -$0)) }
    /// Where `max` sits on the nines axis, past 99.99.
    static let maxPosition = 4.5

    static func nines(_ p: Double) -> Double { p >= 100 ? maxPosition : -log10(1 - p / 100) }

    /// Batch latency by percentile from the step's merged histogram; x is a log "nines" scale
    /// (0, 90, 99, 99.9, 99.99 equally spaced), and the baseline's curve is dashed under it.
    static func percentileChart(step: String, doc: ResultsDocument, baseline: ResultsDocument?) -> String {
        func curve(_ d: ResultsDocument) -> [(x: Double, y: Double)]? {
            var merged = LatencyHistogram()
            if let h = d.summary.steps[step]?.histogram.flatMap({ LatencyHistogram(encoded: $0) }) {
                merged = h
            } else if let h = LatencyHistogram.merging(
                d.repetitions.compactMap { $0.steps.first(where: { $0.name == step })?.histogram })
            {
                merged = h
            }
            guard merged.count > 1 else { return nil }
            // Past the last recorded value a percentile only repeats the maximum.
            let top = 100 * (1 - 1 / Double(merged.count))
            var points = percentiles.filter { $0 <= max(top, 50) }.map { p in (x: nines(p), y: merged.millis(atPercentile: p)) }
            points.append((maxPosition, merged.maxMillis))
            return points
        }
        guard let current = curve(doc) else { return "" }
        var series = [SVGChart.Series(label: "current", colour: "#2f5fd0", points: current)]
        if let baseline, let b = curve(baseline) {
            series.insert(SVGChart.Series(label: "baseline", colour: "#8a8f99", points: b, dashed: true), at: 0)
        }
        let ticks: [(Double, String)] = [
            (0, "0"), (nines(50), "50"), (1, "90"), (2, "99"), (3, "99.9"), (4, "99.99"), (maxPosition, "max"),
        ]
        let chart = SVGChart(
            width: 540, height: 230, xLabel: "percentile (log scale of nines)", yLabel: "ms", series: series, xTicks: ticks,
            xRange: 0...maxPosition)
        return
            "<figure><figcaption><b>\(HTML.escape(step))</b>: batch latency by percentile</figcaption>\(chart.render())</figure>"
    }

    /// p50/p99/max per second, with fault windows shaded red and each other step's window blue.
    /// A bucket holds the batches due in that second since the repetition began, so it is drawn
    /// flat across its second, clipped to the step's own window.
    static func timelineChart(_ step: StepResult, rep: RepetitionResult, repetitions: Int) -> String {
        let t = step.timeline ?? []
        let from = (step.startedMs ?? 0) / 1000
        let to = step.startedMs.map { ($0 + step.durationMs) / 1000 } ?? .infinity
        func flat(_ value: (TimelineBucket) -> Double) -> [(x: Double, y: Double)] {
            t.flatMap { b -> [(x: Double, y: Double)] in
                let x0 = max(Double(b.second), from), x1 = max(min(Double(b.second + 1), to), x0)
                return [(x0, value(b)), (x1, value(b))]
            }
        }
        // max last and dotted: it often equals p99 in a second with few batches, and must not hide under it.
        let series = [
            SVGChart.Series(label: "p50", colour: "#2f5fd0", points: flat(\.p50)),
            SVGChart.Series(label: "p99", colour: "#e67e22", points: flat(\.p99)),
            SVGChart.Series(label: "max", colour: "#c0392b", points: flat(\.max), dashed: true, width: 1.5),
        ]
        var bands: [SVGChart.Band] = []
        for other in rep.steps where other.name != step.name && other.status != .skipped && !(other.background ?? false) {
            guard let start = other.startedMs else { continue }
            bands.append(.init(from: start / 1000, to: (start + other.durationMs) / 1000, label: other.name, colour: "#2f5fd0"))
        }
        for fault in rep.faults {
            guard let s = fault.startedMs, let e = fault.endedMs else { continue }
            bands.append(.init(from: s / 1000, to: e / 1000, label: "\(fault.kind) \(fault.target)", colour: "#c0392b", hatched: true))
        }
        let chart = SVGChart(
            width: 1080, height: 250, xLabel: "seconds since the repetition began", yLabel: "ms", series: series, bands: bands,
            xRange: 0...max(min(Double(t.map(\.second).max() ?? 0) + 1, to), bands.map(\.to).max() ?? 0, 1e-3))
        let which = repetitions > 1 ? " (last of \(repetitions) repetitions)" : ""
        return "<figure><figcaption><b>\(HTML.escape(step.name))</b>: batch latency over time\(which); "
            + "<span style=\"color:#2f5fd0\">other steps</span> and <span style=\"color:#c0392b\">faults</span> shaded</figcaption>"
            + chart.render() + "</figure>"
    }
}
