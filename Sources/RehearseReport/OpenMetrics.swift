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
/// No timestamps: a Pushgateway refuses samples that carry one; the scraper stamps them.
public enum OpenMetrics {
    public static func render(_ documents: [ResultsDocument]) -> String {
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
                let labels = [
                    ("scenario", doc.scenario.name), ("step", step), ("postgres_major", postgresMajor(doc.environment.postgresVersion)),
                    ("run_id", doc.run.id),
                ]
                // Two documents of one run (a folder read twice) would make one series twice.
                guard seen.insert(labels.map(\.1)).inserted else { continue }
                if let l = summary.latencyMs {
                    for (q, ms) in [("0.5", l.p50), ("0.95", l.p95), ("0.99", l.p99)] {
                        families[0].add(labels + [("quantile", q)], ms / 1000)
                    }
                    if let batches = summary.batches {
                        families[0].add(labels, Double(batches), suffix: "_count")
                        families[0].add(labels, l.mean * Double(batches) / 1000, suffix: "_sum")
                    }
                }
                if let ms = Median.of(summary.durationMs) { families[1].add(labels, ms / 1000) }
                if let t = summary.throughput { families[2].add(labels, t) }
                families[3].add(labels, summary.errorRate)
                let results = doc.repetitions.flatMap { $0.steps.filter { $0.name == step } }
                for (i, counter) in Comparator.workCounters.enumerated() {
                    let values = results.compactMap { r in r.work.flatMap { $0.attributed ? counter.value($0) : nil }.map(Double.init) }
                    if let v = Median.of(values) { work[i].add(labels, v) }
                }
            }
        }
        return (families + work).filter { !$0.samples.isEmpty }.map(\.text).joined() + "# EOF\n"
    }

    /// The steps in the order they ran (the last repetition's), then any the summary has besides.
    static func stepNames(_ doc: ResultsDocument) -> [String] {
        let ran = doc.repetitions.last?.steps.map(\.name) ?? []
        return ran + doc.summary.steps.keys.filter { !ran.contains($0) }.sorted()
    }

    /// `15.18` → `15`, `16beta1` → `16`; before PostgreSQL 10 the major was two numbers (`9.6`).
    static func postgresMajor(_ version: String) -> String {
        let numbers = version.split(whereSeparator: { !$0.isNumber }).map(String.init)
        guard let first = numbers.first else { return version }
        if let n = Int(first), n < 10, numbers.count > 1 { return "\(first).\(numbers[1])" }
        return first
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
