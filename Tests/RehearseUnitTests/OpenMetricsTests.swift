import Foundation
import RehearseHistogram
import TestBasics
import Testing

@testable import RehearseReport
@testable import RehearseResults

@Suite("OpenMetrics output")
struct OpenMetricsTests {
    static let families = [
        "rehearse_step_latency_seconds", "rehearse_step_duration_seconds", "rehearse_step_throughput_per_second",
        "rehearse_step_error_ratio",
    ]

    /// A sample document whose migrate step carries work counters, attributed in all but one repetition.
    static func document(name: String = "reseed-missing-codes", runID: String = "run-42") -> ResultsDocument {
        var doc = SampleResults.document(SampleResults.Options(name: name, repetitions: 3))
        doc.run.id = runID
        for (i, wal) in [7000, 9000, 1_000_000].enumerated() {
            let s = doc.repetitions[i].steps.firstIndex { $0.name == "migrate" } ?? 0
            doc.repetitions[i].steps[s].work = WorkCounters(
                walBytes: Int64(wal), sharedBlksHit: 100, sharedBlksRead: 3, tempBytes: 0, rows: 12, attributed: i < 2)
        }
        return doc
    }

    @Test func writesEachFamilyOnceWithItsMetadataAndEndsWithEOF() throws {
        let doc = Self.document()
        let text = OpenMetrics.render([doc])
        #expect(text.hasSuffix("\n# EOF\n"))
        #expect(!text.contains("\n\n"))
        for name in Self.families {
            #expect(text.components(separatedBy: "# TYPE \(name) ").count == 2, "\(name)")
            #expect(text.contains("# HELP \(name) "), "\(name)")
        }
        #expect(text.contains("# TYPE rehearse_step_latency_seconds summary\n# UNIT rehearse_step_latency_seconds seconds\n"))
        #expect(text.contains("# TYPE rehearse_step_error_ratio gauge\n# UNIT rehearse_step_error_ratio ratio\n"))
        #expect(text.contains("# TYPE rehearse_step_wal_bytes gauge\n# UNIT rehearse_step_wal_bytes bytes\n"))
        #expect(!text.contains("# UNIT rehearse_step_throughput_per_second"))

        let labels = #"scenario="reseed-missing-codes",step="app-traffic",postgres_major="15",run_id="run-42""#
        let traffic = try #require(doc.summary.steps["app-traffic"])
        let latency = try #require(traffic.latencyMs)
        #expect(text.contains("rehearse_step_latency_seconds{\(labels),quantile=\"0.95\"} \(OpenMetrics.number(latency.p95 / 1000))\n"))
        #expect(text.contains("rehearse_step_latency_seconds_count{\(labels)} \(try #require(traffic.batches))\n"))
        #expect(text.contains("rehearse_step_error_ratio{\(labels)} \(OpenMetrics.number(traffic.errorRate))\n"))
        // The median of the attributed repetitions only: 7000 and 9000, not the 1 MB one.
        #expect(
            text.contains(
                "rehearse_step_wal_bytes{scenario=\"reseed-missing-codes\",step=\"migrate\",postgres_major=\"15\",run_id=\"run-42\"} 8000\n"
            ))
        // Steps in the order they ran.
        let migrate = try #require(text.range(of: "rehearse_step_duration_seconds{scenario=\"reseed-missing-codes\",step=\"migrate\""))
        let seed = try #require(text.range(of: "rehearse_step_duration_seconds{scenario=\"reseed-missing-codes\",step=\"seed-rates\""))
        #expect(migrate.lowerBound < seed.lowerBound)
    }

    @Test func escapesLabelValuesAsTheFormatSays() {
        #expect(OpenMetrics.labelValue(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        // Control characters are shown as everywhere in rehearse's output, never written raw.
        #expect(OpenMetrics.labelValue("x\u{1B}[31my") == #"x\\u{1B}[31my"#)
        #expect(OpenMetrics.labelValue("postgresql://u:secret@h/db").contains("secret") == false)
    }

    @Test func numbers() {
        #expect(OpenMetrics.number(.infinity) == "+Inf" && OpenMetrics.number(-.infinity) == "-Inf")
        #expect(OpenMetrics.number(.nan) == "NaN")
        #expect(OpenMetrics.number(12) == "12" && OpenMetrics.number(0.445 / 1000) == "0.000445")
        #expect(OpenMetrics.number(1e-5) == "1e-05" && OpenMetrics.number(85.24436800000001) == "85.244368")
        #expect(OpenMetrics.number(3e18) == "3000000000000000000" && OpenMetrics.number(2.5e19) == "2.5e+19")
    }

    /// The text parsed by a reference parser, prometheus-client's `text_string_to_metric_families`
    /// (from PyPI): every family, unit and sample comes back, hostile label values included.
    @Test func prometheusClientParsesIt() async throws {
        var hostile = Self.document(name: "quote\" back\\slash\nnewline", runID: "run-7")
        hostile.environment.postgresVersion = "18.1"
        let text = OpenMetrics.render([Self.document(), hostile, Self.document()])
        let parsed = try await Self.parse(text)
        let byName = Dictionary(uniqueKeysWithValues: parsed.map { ($0["name"] as? String ?? "", $0) })
        #expect(byName["rehearse_step_latency_seconds"]?["type"] as? String == "summary")
        #expect(byName["rehearse_step_latency_seconds"]?["unit"] as? String == "seconds")
        #expect(byName["rehearse_step_throughput_per_second"]?["type"] as? String == "gauge")
        #expect(byName["rehearse_step_wal_bytes"]?["unit"] as? String == "bytes")
        let samples = parsed.flatMap { ($0["samples"] as? [[Any]]) ?? [] }
        #expect(samples.count == text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count)
        // The duplicate document of one run made no second series.
        let p95 = samples.filter { ($0[1] as? [String: String])?["quantile"] == "0.95" }
        #expect(p95.count == 2 * Self.document().summary.steps.values.filter { $0.latencyMs != nil }.count)
        let back = try #require(
            p95.first {
                ($0[1] as? [String: String])?["scenario"] == hostile.scenario.name && ($0[1] as? [String: String])?["step"] == "app-traffic"
            })
        #expect((back[1] as? [String: String])?["postgres_major"] == "18")
        let p95Seconds = try #require(hostile.summary.steps["app-traffic"]?.latencyMs.map { $0.p95 / 1000 })
        #expect(abs(try #require(back[2] as? Double) - p95Seconds) < 1e-12)
    }

    /// The families prometheus-client's OpenMetrics parser reads from `text` (it throws on any
    /// violation of the format): name, type, unit and samples as `[name, labels, value]`.
    static func parse(_ text: String) async throws -> [[String: Any]] {
        let folder = try TemporaryFolder(prefix: "rh-openmetrics")
        let file = try folder.file(text, name: "metrics.txt")
        let code = """
            import json, sys
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            out = []
            for f in text_string_to_metric_families(open(sys.argv[1]).read()):
                out.append({"name": f.name, "type": f.type, "unit": f.unit,
                            "samples": [[s.name, s.labels, s.value] for s in f.samples]})
            print(json.dumps(out))
            """
        let (status, output) = try await PythonTools.run(code, [file.path])
        try #require(status == 0, "\(output)")
        let json = try #require(output.split(separator: "\n").last.map { Data($0.utf8) })
        return try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
    }

    /// `compare --format openmetrics`: the current run's metrics and a regression flag per finding.
    @Test func aComparisonAddsARegressionFlagPerFinding() async throws {
        let base = SampleResults.document(SampleResults.Options(name: "reseed", repetitions: 5))
        let slow = SampleResults.document(SampleResults.Options(name: "reseed", repetitions: 5, latencyScale: 3, seed: 9))
        let report = Comparator().compare(baselines: [base], currents: [slow])
        let text = OpenMetrics.render([slow], comparison: report)
        let labels = "scenario=\"reseed\",step=\"backfill-codes\",postgres_major=\"15\",run_id=\"\(slow.run.id)\""
        #expect(text.contains("# TYPE rehearse_step_regression gauge\n"))
        #expect(text.contains("rehearse_step_regression{\(labels)} 1\n"), "\(text)")
        let flags = text.split(separator: "\n").filter { $0.hasPrefix("rehearse_step_regression{") }
        #expect(flags.count == report.scenarios[0].findings.count)
        #expect(flags.filter { $0.hasSuffix(" 1") }.count == report.regressionCount)
        let parsed = try await Self.parse(text)
        #expect(parsed.contains { $0["name"] as? String == "rehearse_step_regression" })
    }
}
