import Foundation
import RehearseHistogram
public import RehearseResults
import RehearseSupport

/// `rehearse report --openmetrics FILE`: results as OpenMetrics 1.0 text, so that a Prometheus
/// Pushgateway or any OpenMetrics scraper can chart runs over time. One sample per step and
/// metric, labelled `scenario`, `step`, `postgres_major` and `run_id`:
///
/// * `rehearse_step_latency_seconds` is a summary (the OpenMetrics type whose samples carry a
///   `quantile` label): p50, p95 and p99 of the merged histogram, with `_count` (batches) and
///   `_sum` (mean × batches) when the document has them;
/// * `rehearse_step_duration_seconds` (the median repetition), `rehearse_step_throughput_per_second`
///   (batches per second), `rehearse_step_error_ratio` and the work counters (`compare`'s names,
///   the median of the repetitions whose counters are the step's alone) are gauges: each is
///   one run's measurement, not a count that grows.
///
/// With a comparison (`compare --format openmetrics`), `rehearse_step_regression` adds 1 for each
/// finding `compare` judged a regression and 0 for the others.
///
/// No timestamps: a Pushgateway refuses samples that carry one; the scraper stamps them.
public enum OpenMetrics {
    public static func render(_ documents: [ResultsDocument], comparison: ComparisonReport? = nil) -> String {
        var families = [
            Family(name: "rehearse_step_latency_seconds", type: "summary", unit: "seconds", help: "Batch latency percentiles of a step."),
            Family(
                name: "rehearse_step_duration_seconds", type: "gauge", unit: "seconds",
                help: "Duration of a step, the median of the repetitions."),
            Family(
                name: "rehearse_step_throughput_per_second", type: "gauge", unit: nil,
                help: "Batches (transactions, statements, chunks) a step completed per second."),
            Family(
                name: "rehearse_step_error_ratio", type: "gauge", unit: "ratio", help: "Fraction of a step's batches that failed."),
        ]
        var work = Comparator.workCounters.map { counter in
            Family(
                name: "rehearse_step_" + counter.name, type: "gauge", unit: counter.unit == "B" ? "bytes" : nil,
                help: "Work counter \(counter.name) of a step: the median of the repetitions whose counters are the step's alone.")
        }
        var seen = Set<[String]>()
        for doc in documents {
            for step in stepNames(doc) {
                guard let summary = doc.summary.steps[step] else { continue }
                let stepLabels = labels(doc, step: step)
                // Two documents of one run (a folder read twice) would make one series twice.
                guard seen.insert(stepLabels.map(\.1)).inserted else { continue }
                if let l = summary.latencyMs {
                    for (q, ms) in [("0.5", l.p50), ("0.95", l.p95), ("0.99", l.p99)] {
                        families[0].add(stepLabels + [("quantile", q)], ms / 1000)
                    }
                    if let batches = summary.batches {
                        families[0].add(stepLabels, Double(batches), suffix: "_count")
                        families[0].add(stepLabels, l.mean * Double(batches) / 1000, suffix: "_sum")
                    }
                }
                if let ms = Median.of(summary.durationMs) { families[1].add(stepLabels, ms / 1000) }
                if let t = summary.throughput { families[2].add(stepLabels, t) }
                families[3].add(stepLabels, summary.errorRate)
                let results = doc.repetitions.flatMap { $0.steps.filter { $0.name == step } }
                for (i, counter) in Comparator.workCounters.enumerated() {
                    let values = results.compactMap { r in r.work.flatMap { $0.attributed ? counter.value($0) : nil }.map(Double.init) }
                    if let v = Median.of(values) { work[i].add(stepLabels, v) }
                }
            }
        }
        let regressions = comparison.map { regressionFamily($0, documents) } ?? []
        return (families + work + predictionFamilies(documents) + regressions).filter { !$0.samples.isEmpty }.map(\.text).joined()
            + "# EOF\n"
    }

    static func labels(_ doc: ResultsDocument, step: String) -> [(String, String)] {
        [
            ("scenario", doc.scenario.name), ("step", step), ("postgres_major", PostgresMajor.name(doc.environment.postgresVersion)),
            ("run_id", doc.run.id),
        ]
    }

    /// One sample per finding of the current documents' comparisons (steps, and `verdict`, `checks`).
    static func regressionFamily(_ comparison: ComparisonReport, _ documents: [ResultsDocument]) -> [Family] {
        var family = Family(
            name: "rehearse_step_regression", type: "gauge", unit: nil,
            help: "1 when compare judged the step regressed against the baseline, else 0 (step verdict and checks: the scenario's).")
        // `compare` labels a scenario held on several majors with its major: the same label finds its document.
        let newest = Comparator.newestByScenario(documents)
        let byLabel = Dictionary(newest.values.map { (Comparator.label($0, among: newest), $0) }, uniquingKeysWith: { a, _ in a })
        for scenario in comparison.scenarios {
            guard let doc = byLabel[scenario.scenario] else { continue }
            for finding in scenario.findings { family.add(labels(doc, step: finding.step), finding.verdict == .regressed ? 1 : 0) }
        }
        return [family]
    }

    /// The steps in the order they ran (the last repetition's), then any the summary has besides.
    static func stepNames(_ doc: ResultsDocument) -> [String] {
        let ran = doc.repetitions.last?.steps.map(\.name) ?? []
        return ran + doc.summary.steps.keys.filter { !ran.contains($0) }.sorted()
    }

    /// A label value: masked and its control characters shown as `OutgoingText` does everywhere,
    /// then the three escapes OpenMetrics has (backslash, double quote, line feed).
    static func labelValue(_ value: String) -> String {
        var out = ""
        for c in OutgoingText.terminal(value) {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// A number as OpenMetrics writes it: `+Inf`, `-Inf`, `NaN`; a whole number without a
    /// fraction (`8000`, a byte count past 2^53 too); else 12 significant digits (`0.000445`,
    /// `1e-05`), which keeps the microseconds of a day and drops the noise of ms / 1000.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), let whole = Int64(exactly: value) { return String(whole) }
        return String(format: "%.12g", value)
    }

    /// One metric family: its metadata and its samples, written together as the format requires.
    struct Family {
        var name: String
        var type: String
        var unit: String?
        var help: String
        var samples: [String] = []

        mutating func add(_ labels: [(String, String)], _ value: Double, suffix: String = "") {
            let set = labels.map { "\($0.0)=\"\(OpenMetrics.labelValue($0.1))\"" }.joined(separator: ",")
            samples.append("\(name)\(suffix){\(set)} \(OpenMetrics.number(value))\n")
        }

        var text: String {
            var out = "# TYPE \(name) \(type)\n"
            if let unit { out += "# UNIT \(name) \(unit)\n" }
            out += "# HELP \(name) \(help)\n"
            return out + samples.joined()
        }
    }
}
