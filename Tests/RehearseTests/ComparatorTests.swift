import Foundation
import Testing

@testable import Rehearse

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// compare on synthetic documents (no PostgreSQL): noise is not a regression, a real
/// slowdown is one in every format, and the floors, checks and environments behave.
@Suite("Comparator on synthetic documents")
struct ComparatorTests {
    typealias Options = SampleResults.Options

    static let baseline = SampleResults.document()

    func verdicts(_ report: ComparisonReport) -> Set<MetricComparison.Verdict> {
        Set(report.scenarios.flatMap(\.rows).map(\.verdict))
    }

    @Test func theSameDocumentTwiceIsUnchanged() {
        let report = Comparator().compare(baselines: [Self.baseline], currents: [Self.baseline])
        #expect(report.scenarios.count == 1)
        #expect(verdicts(report) == [.unchanged])
        #expect(!report.hasRegression && report.warnings.isEmpty && report.isValid)
        // Every timed step has its latency, duration and throughput rows; the skipped step has none.
        let rows = report.scenarios[0].rows
        for step in ["migrate", "seed-rates", "app-traffic", "backfill-codes"] {
            let metrics = Set(rows.filter { $0.step == step }.map(\.metric))
            #expect(
                metrics.isSuperset(of: ["p50", "p95", "p99", "max", "mean", "duration", "throughput", "error_rate", "rows"]), "\(step)")
        }
        #expect(!rows.contains { $0.step == "drop-old-codes" })
        #expect(rows.allSatisfy { $0.significance?.contains("Mann-Whitney, 5 vs 5") ?? true })
        #expect(ComparisonFormatter.render(report, as: .text).contains("no regression"))
    }

    @Test func threeTimesSlowerIsARegressionInEveryFormat() throws {
        let slower = SampleResults.document(Options(latencyScale: 3))
        let report = Comparator().compare(baselines: [Self.baseline], currents: [slower])
        #expect(report.hasRegression)
        let rows = report.scenarios[0].rows
        for step in ["seed-rates", "app-traffic", "backfill-codes"] {
            let regressed = Set(rows.filter { $0.step == step && $0.verdict == .regressed }.map(\.metric))
            // The workload's p99 per repetition depends on how many batches met the lock fault (6 to 25 ms
            // in the baseline, 17 to 75 ms when 3x slower): the ranges overlap, so 5 vs 5 repetitions cannot
            // call it significant, and compare rightly does not.
            let expected: Set =
                step == "app-traffic" ? ["p50", "p95", "max", "mean", "duration"] : ["p50", "p95", "p99", "max", "mean", "duration"]
            #expect(regressed.isSuperset(of: expected), "\(step): \(regressed)")
        }
        let p99 = rows.first { $0.step == "app-traffic" && $0.metric == "p99" }
        #expect(p99?.verdict == .regressed || p99?.significance?.contains("Mann-Whitney") == true)
        #expect(rows.contains { $0.step == "seed-rates" && $0.metric == "throughput" && $0.verdict == .regressed })
        #expect(!rows.contains { $0.verdict == .improved })
        let p50 = try #require(rows.first { $0.step == "seed-rates" && $0.metric == "p50" })
        #expect(abs((p50.change ?? 0) - 2) < 0.01)
        #expect(p50.significance?.hasPrefix("p=0.00794") == true)

        let text = ComparisonFormatter.render(report, as: .text)
        #expect(text.contains("regressed") && text.contains("REGRESSION") && !text.contains("\u{1B}["))
        #expect(ComparisonFormatter.render(report, as: .text, colour: true).contains("\u{1B}[31m"))
        let markdown = ComparisonFormatter.render(report, as: .markdown)
        #expect(markdown.contains("| seed-rates | p95 |") && markdown.contains("| **regressed** |"))
        let json = ComparisonFormatter.render(report, as: .json)
        #expect(json.contains("\"has_regression\" : true"))
        let back = try ResultsCoding.decoder().decode(ComparisonReport.self, from: Data(json.utf8))
        #expect(back.hasRegression && back.scenarios[0].rows.count == rows.count)
        let junit = ComparisonFormatter.render(report, as: .junit)
        #expect(junit.contains("<failure message=\"p95 regressed: baseline "))
        let xml = try XMLDocument(data: Data(junit.utf8))
        let failures = try xml.nodes(forXPath: "//testcase/failure")
        #expect(failures.count == report.regressionCount)
    }

    @Test func aChangeUnderTheThresholdIsUnchanged() {
        let slightly = SampleResults.document(Options(latencyScale: 1.02))
        let report = Comparator(threshold: 0.05).compare(baselines: [Self.baseline], currents: [slightly])
        #expect(!report.hasRegression)
        #expect(!verdicts(report).contains(.improved))
        // With a 1% threshold the same change counts (it is consistent across repetitions).
        #expect(Comparator(threshold: 0.01).compare(baselines: [Self.baseline], currents: [slightly]).hasRegression)
    }

    /// Sets every percentile of a step to `value(repetition)` and drops the merged figures.
    func withLatency(_ doc: ResultsDocument, step: String, _ value: (Int) -> Double) -> ResultsDocument {
        var d = doc
        for r in d.repetitions.indices {
            for s in d.repetitions[r].steps.indices where d.repetitions[r].steps[s].name == step {
                let v = value(r)
                d.repetitions[r].steps[s].latencyMs = LatencySummary(p50: v, p90: v, p95: v, p99: v, p999: v, max: v, mean: v)
                d.repetitions[r].steps[s].histogram = nil
            }
        }
        d.summary.steps[step]?.latencyMs = nil
        d.summary.steps[step]?.histogram = nil
        return d
    }

    @Test func tenthsOfAMillisecondAreUnderTheFloor() {
        let base = withLatency(Self.baseline, step: "seed-rates") { 0.1 + 0.001 * Double($0) }
        let doubled = withLatency(Self.baseline, step: "seed-rates") { 0.2 + 0.001 * Double($0) }
        let rows = Comparator().compare(baseline: base, current: doubled).rows.filter { $0.step == "seed-rates" }
        let p50 = rows.first { $0.metric == "p50" }
        #expect(p50?.verdict == .unchanged && (p50?.change ?? 0) > 0.9)
        #expect(p50?.significance?.hasPrefix("p=0.00794") == true)
        // The same relative change above the floor is a regression.
        let big = withLatency(Self.baseline, step: "seed-rates") { 1 + 0.01 * Double($0) }
        let bigger = withLatency(Self.baseline, step: "seed-rates") { 2 + 0.01 * Double($0) }
        let regressed = Comparator().compare(baseline: big, current: bigger).rows.filter {
            $0.step == "seed-rates" && $0.verdict == .regressed
        }
        #expect(Set(regressed.map(\.metric)) == ["p50", "p95", "p99", "max", "mean"])
    }

    @Test func aLargeButInsignificantChangeIsUnchanged() throws {
        let comparator = Comparator()
        let duration = try #require(Comparator.metrics.first { $0.name == "duration" })
        let noisy = comparator.judge(
            duration, step: "s", baseline: 12, current: 14, baseSamples: [10, 11, 12, 13, 200], currentSamples: [12, 13, 14, 15, 16])
        #expect(noisy.verdict == .unchanged)
        #expect(noisy.significance?.contains("Mann-Whitney") == true)
        let few = comparator.judge(duration, step: "s", baseline: 12, current: 14, baseSamples: [12, 12], currentSamples: [14, 14])
        #expect(few.verdict == .regressed && few.significance?.hasPrefix("not tested") == true)
        let throughput = try #require(Comparator.metrics.first { $0.name == "throughput" })
        #expect(
            comparator.judge(throughput, step: "s", baseline: 100, current: 50, baseSamples: [], currentSamples: []).verdict == .regressed)
        #expect(
            comparator.judge(throughput, step: "s", baseline: 100, current: 200, baseSamples: [], currentSamples: []).verdict == .improved)
    }

    @Test func fewRepetitionsCompareMergedHistogramsAndSaySo() {
        let base = SampleResults.document(Options(repetitions: 2))
        let slow = SampleResults.document(Options(repetitions: 2, latencyScale: 3))
        let report = Comparator().compare(baselines: [base], currents: [slow])
        #expect(report.hasRegression)
        let p95 = report.scenarios[0].rows.first { $0.step == "app-traffic" && $0.metric == "p95" }
        #expect(p95?.verdict == .regressed && p95?.significance?.hasPrefix("not tested (2 vs 2") == true)
        #expect(ComparisonFormatter.render(report, as: .text).contains("significance not tested"))
    }

    @Test func environmentDifferencesWarnAndStrictMakesThemInvalid() throws {
        var other = Self.baseline
        other.environment.postgresVersion = "16.4"
        other.environment.settings["work_mem"] = "64MB"
        other.environment.settings["jit"] = "off"
        other.environment.cpuCount = 8
        other.environment.cpuModel = "Other CPU"
        other.environment.server = "external"
        other.scenario.sha256 = String(repeating: "ab12", count: 15) + "ffff"
        let report = Comparator().compare(baselines: [Self.baseline], currents: [other])
        let warnings = report.warnings.joined(separator: "\n")
        for fragment in [
            "postgres_version differs: baseline 15.18, current 16.4", "setting work_mem differs: baseline 4MB, current 64MB",
            "setting jit differs: baseline unset, current off", "cpu_count differs", "cpu_model differs", "server differs",
            "scenario sha256 differs",
        ] {
            #expect(warnings.contains(fragment), "\(fragment)")
        }
        #expect(report.isValid && !report.hasRegression)
        let strict = Comparator(strict: true).compare(baselines: [Self.baseline], currents: [other])
        #expect(!strict.isValid)
        #expect(ComparisonFormatter.render(strict, as: .json).contains("\"valid\" : false"))
        #expect(ComparisonFormatter.render(strict, as: .text).contains("invalid comparison"))
        #expect(ComparisonFormatter.render(strict, as: .markdown).contains("⚠️ "))
    }

    @Test func aFlippedCheckAndAChangedVerdictAreRegressions() throws {
        let failing = SampleResults.document(Options(checkPasses: false))
        let report = Comparator().compare(baselines: [Self.baseline], currents: [failing])
        let rows = report.scenarios[0].rows
        let check = try #require(rows.first { $0.step == "checks" })
        #expect(check.metric == "add_on_rates_count_121" && check.verdict == .regressed && check.note == "passed → failed")
        let verdict = try #require(rows.first { $0.metric == "verdict" })
        #expect(verdict.verdict == .regressed && verdict.note == "approved → blocked")
        #expect(report.hasRegression)
        #expect(
            ComparisonFormatter.render(report, as: .junit).contains(
                "<failure message=\"add_on_rates_count_121 regressed: passed → failed\""))
        // And back again is an improvement.
        let back = Comparator().compare(baselines: [failing], currents: [Self.baseline])
        #expect(!back.hasRegression && back.scenarios[0].rows.contains { $0.step == "checks" && $0.verdict == .improved })
    }

    @Test func rowsAndStepsOnOneSideAreInformational() {
        var current = Self.baseline
        for r in current.repetitions.indices {
            current.repetitions[r].steps[1].rows += 10
            current.repetitions[r].steps.removeAll { $0.name == "migrate" }
        }
        current.summary.steps["seed-rates"]?.rows? += 10
        let report = Comparator().compare(baselines: [Self.baseline], currents: [current])
        let rows = report.scenarios[0].rows
        #expect(rows.contains { $0.step == "seed-rates" && $0.metric == "rows" && $0.verdict == .changed })
        #expect(rows.contains { $0.step == "migrate" && $0.metric == "step" && $0.note == "not in the current run" })
        #expect(!report.hasRegression)
    }

    @Test func aStepThatStartsFailingIsARegression() {
        var current = Self.baseline
        current.repetitions[2].steps[3].status = "failed"
        current.repetitions[2].steps[3].error = ErrorInfo(sqlstate: "55P03", message: "lock timeout")
        let rows = Comparator().compare(baseline: Self.baseline, current: current).rows
        #expect(
            rows.contains { $0.step == "backfill-codes" && $0.metric == "status" && $0.verdict == .regressed && $0.note == "ok → failed" })
    }

    @Test func missingBaselinesAreReported() throws {
        let other = SampleResults.document(Options(name: "add-index <&\"quoted\">"))
        let report = Comparator().compare(baselines: [Self.baseline], currents: [Self.baseline, other])
        #expect(report.missingBaseline == ["add-index <&\"quoted\">"])
        #expect(ComparisonFormatter.render(report, as: .text).contains("add-index <&\"quoted\">: no baseline"))
        let junit = ComparisonFormatter.render(report, as: .junit)
        #expect(junit.contains("classname=\"add-index &lt;&amp;&quot;quoted&quot;&gt;\""))
        _ = try XMLDocument(data: Data(junit.utf8))
    }

    @Test func junitDropsCharactersXMLCannotHold() throws {
        var current = SampleResults.document(Options(name: "esc\u{1B}[31mape", latencyScale: 3))
        current.scenario.name = "esc\u{1B}[31mape"
        var base = Self.baseline
        base.scenario.name = current.scenario.name
        let junit = ComparisonFormatter.render(Comparator().compare(baselines: [base], currents: [current]), as: .junit)
        #expect(!junit.contains("\u{1B}"))
        _ = try XMLDocument(data: Data(junit.utf8))
    }

    @Test func foldersKeepTheNewestRunOfEachScenario() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-h3-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        func write(_ d: ResultsDocument, _ path: String) throws {
            try ResultsCoding.encoder().encode(d).write(to: dir.appendingPathComponent(path))
        }
        var older = Self.baseline, newer = Self.baseline, other = SampleResults.document(Options(name: "other", repetitions: 1))
        older.run.id = "older"
        older.run.finishedAt = "2026-11-22T10:00:00Z"
        newer.run.id = "newer"
        newer.run.finishedAt = "2026-11-22T10:00:00.500Z"
        try write(newer, "a/1.json")
        try write(older, "a/2.json")
        try write(other, "a/b/other.json")
        let documents = try Comparator.loadDocuments(at: dir)
        #expect(documents.map(\.scenario.name) == ["other", "reseed-missing-codes"])
        #expect(documents.last?.run.id == "newer")
        #expect(try Comparator.loadDocuments(at: dir.appendingPathComponent("a/2.json")).first?.run.id == "older")
        #expect(throws: RehearseError.self) { try Comparator.loadDocuments(at: dir.appendingPathComponent("missing")) }
    }
}

/// A results file that cannot be read says where: the line and column of the value at
/// fault (not the first key of that name), with the key spelled as in the file.
@Suite("Results file errors")
struct ResultsFileErrorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    func error(loading bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.json")
        try Data(bytes).write(to: file)
        do {
            _ = try ResultsLoader.load(file.path)
        } catch {
            return "\(error)"
        }
        Issue.record("expected an error")
        return ""
    }

    @Test func errorsNameTheLineAndColumnOfTheValue() throws {
        let text = try String(
            contentsOf: Self.root.appendingPathComponent("results/baselines/quickstart.json"), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        // The third "p50" of the file (line 145, not line 96 where the first one is).
        let index = try #require(lines.indices.filter { lines[$0].contains("\"p50\"") }.dropFirst(2).first)
        lines[index] = lines[index].replacingOccurrences(of: #": [0-9.]+"#, with: ": \"fast\"", options: .regularExpression)
        let column = lines[index].distance(from: lines[index].startIndex, to: lines[index].range(of: "\"p50\"")!.lowerBound) + 1
        let wrongType = try error(loading: Array(lines.joined(separator: "\n").utf8))
        #expect(wrongType.contains("bad.json:\(index + 1):\(column): wrong type at "), "\(wrongType)")
        #expect(wrongType.contains("wrong type at .repetitions[") && wrongType.contains(".p50:"), "\(wrongType)")

        // Cut off in the middle: the position is where the text stops.
        let cut = Array(text.utf8.prefix(2000))
        let truncated = try error(loading: cut)
        let lastLine = String(decoding: cut, as: UTF8.self).components(separatedBy: "\n").count
        #expect(truncated.contains("bad.json:\(lastLine):"), "\(truncated)")

        // A byte that is not UTF-8, on line 3.
        let binary = try error(loading: Array("{\n  \"schema_version\": 1,\n  ".utf8) + [0xFF, 0xFE] + Array("\n}".utf8))
        #expect(binary.contains("bad.json:3:3: not a valid results document: not UTF-8 text"), "\(binary)")
        // A key the file lacks: where the object that lacks it begins.
        let missing = try error(loading: Array("{\n  \"schema_version\": 1\n}".utf8))
        #expect(missing.contains("bad.json:1:1: missing key .scenario"), "\(missing)")
    }
}
