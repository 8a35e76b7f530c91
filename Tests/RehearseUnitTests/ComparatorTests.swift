import Foundation
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseReport
@testable import RehearseResults
@testable import RehearseSupport


#if canImport(FoundationXML)
    import FoundationXML
#endif

/// compare on synthetic documents (no PostgreSQL): noise is not a regression, a real
/// slowdown is one in every format, and the floors, checks and environments behave.
@Suite("Comparator on synthetic documents")
struct ComparatorTests {
    typealias Options = SampleResults.Options

    static let baseline = SampleResults.document()

    func verdicts(_ report: ComparisonReport) -> Set<MetricComparison.Change> {
        Set(report.scenarios.flatMap(\.rows).map(\.verdict))
    }

    func finding(_ report: ComparisonReport, _ step: String) -> Finding? {
        report.scenarios.first?.findings.first { $0.step == step }
    }

    static let timedSteps = ["migrate", "seed-rates", "app-traffic", "backfill-codes"]

    @Test func theSameDocumentTwiceIsUnchanged() {
        let report = Comparator().compare(baselines: [Self.baseline], currents: [Self.baseline])
        #expect(report.scenarios.count == 1)
        let findings = report.scenarios[0].findings
        // One finding per step (the skipped one too), with every metric row under it.
        #expect(findings.map(\.step) == Self.timedSteps + ["drop-old-codes"])
        #expect(findings.allSatisfy { $0.verdict == .unchanged })
        for step in Self.timedSteps {
            let metrics = Set(findings.first { $0.step == step }!.rows.map(\.metric))
            #expect(
                metrics.isSuperset(of: ["p50", "p95", "p99", "max", "mean", "duration", "throughput", "error_rate", "rows"]), "\(step)")
        }
        #expect(findings.last?.rows.isEmpty == true)
        #expect(finding(report, "app-traffic")?.metric == "mean" && finding(report, "migrate")?.metric == "duration")
        #expect(findings.prefix(4).allSatisfy { $0.p == 1 && $0.repetitions == [5, 5] && $0.shift == 0 })
        #expect(!report.hasRegression && report.warnings.isEmpty && report.isValid)
        #expect(ComparisonFormatter.render(report, as: .text).contains("no regression"))
    }

    @Test func threeTimesSlowerIsOneRegressionPerStepInEveryFormat() throws {
        let slower = SampleResults.document(Options(latencyScale: 3))
        let report = Comparator().compare(baselines: [Self.baseline], currents: [slower])
        #expect(report.hasRegression)
        let findings = report.scenarios[0].findings
        // Seven metrics of a step are one finding: four steps, four regressions.
        #expect(report.regressionCount == 4)
        for step in Self.timedSteps {
            let f = try #require(findings.first { $0.step == step })
            #expect(f.verdict == .regressed, "\(step): \(f.reason)")
            // 5 vs 5 with no overlap: p = 2/252, Holm over the four step findings multiplies by 4.
            #expect(abs((f.p ?? 0) - 2.0 / 252) < 1e-9 && abs((f.pAdjusted ?? 0) - 8.0 / 252) < 1e-9)
            #expect((f.interval?[0] ?? 0) > 0.05 && abs((f.shift ?? 0) - 2) < 0.6, "\(step): \(f.reason)")
        }
        let seed = try #require(findings.first { $0.step == "seed-rates" })
        #expect(seed.rows.first { $0.metric == "duration" }?.verdict == .regressed)
        #expect(seed.rows.first { $0.metric == "p50" }?.verdict == .changed)
        #expect(abs((seed.rows.first { $0.metric == "p50" }?.change ?? 0) - 2) < 0.01)

        let text = ComparisonFormatter.render(report, as: .text)
        #expect(text.contains("seed-rates: regressed — duration +") && text.contains("REGRESSION") && !text.contains("\u{1B}["))
        #expect(text.contains("4 regressions"))
        #expect(ComparisonFormatter.render(report, as: .text, colour: true).contains("\u{1B}[31m"))
        let markdown = ComparisonFormatter.render(report, as: .markdown)
        #expect(markdown.contains("| seed-rates | **regressed** | duration +") && markdown.contains("| seed-rates | p95 |"))
        let json = ComparisonFormatter.render(report, as: .json)
        #expect(json.contains("\"has_regression\" : true") && json.contains("\"findings\"") && json.contains("\"p_adjusted\""))
        let back = try ResultsCoding.decoder().decode(ComparisonReport.self, from: Data(json.utf8))
        #expect(back.regressionCount == 4 && back.scenarios[0].rows.count == report.scenarios[0].rows.count)
        let junit = ComparisonFormatter.render(report, as: .junit)
        #expect(junit.contains("<failure message=\"seed-rates regressed: duration +"))
        let xml = try XMLDocument(data: Data(junit.utf8))
        #expect(try xml.nodes(forXPath: "//testcase/failure").count == 4)
    }

    @Test func aChangeUnderTheThresholdIsUnchanged() {
        let slightly = SampleResults.document(Options(latencyScale: 1.02))
        for threshold in [0.05, 0.01] {
            let report = Comparator(threshold: threshold).compare(baselines: [Self.baseline], currents: [slightly])
            #expect(!report.hasRegression && !report.scenarios[0].findings.contains { $0.verdict == .improved })
        }
    }

    /// Sets a step's duration in repetition r to `value(r)`, in a copy with its merged figures dropped.
    func withDurations(_ doc: ResultsDocument, step: String, _ value: (Int) -> Double) -> ResultsDocument {
        var d = doc
        for r in d.repetitions.indices {
            for s in d.repetitions[r].steps.indices where d.repetitions[r].steps[s].name == step {
                d.repetitions[r].steps[s].durationMs = value(r)
            }
        }
        d.summary.steps[step]?.durationMs = d.repetitions.compactMap { $0.steps.first { $0.name == step }?.durationMs }
        return d
    }

    /// Noise as a loaded 2-core machine makes it: every repetition of every step ± `noise` at random.
    func noisy(_ doc: ResultsDocument, seed: UInt64, noise: Double = 0.12, slower: [String: Double] = [:]) -> ResultsDocument {
        var random = SampleResults.Random(state: seed)
        var d = doc
        for step in ["migrate", "seed-rates", "backfill-codes"] {
            d = withDurations(d, step: step) { _ in 100 * (1 + 2 * noise * (random.next() - 0.5)) * (slower[step] ?? 1) }
        }
        return d
    }

    @Test func noiseBetweenTwoRunsOfTheSameCodeIsAlmostNeverARegression() {
        // A/A: 200 pairs of runs whose steps jitter ±12%. Under the null hypothesis three steps
        // separate completely (p = 2/252, the only p Holm lets through at 5 vs 5) with chance
        // about 3/126 per pair; the interval past the threshold halves that: about one alarm in
        // 200 pairs, where testing each metric of each step at p < 0.05 raised one in two.
        var alarms = 0
        for seed in UInt64(1)...200 {
            let a = noisy(Self.baseline, seed: seed), b = noisy(Self.baseline, seed: seed + 1000)
            if Comparator().compare(baseline: a, current: b).hasRegression { alarms += 1 }
        }
        #expect(alarms <= 2, "\(alarms) false alarms in 200 pairs")
    }

    @Test func aQuarterSlowerStepIsCaughtAndNamedAtFiveRepetitions() {
        var caught = (quiet: 0, loud: 0)
        for seed in UInt64(1)...50 {
            let a = noisy(Self.baseline, seed: seed, noise: 0.08)
            let b = noisy(Self.baseline, seed: seed + 1000, noise: 0.08, slower: ["backfill-codes": 1.25])
            let report = Comparator().compare(baseline: a, current: b)
            if report.findings.filter({ $0.verdict == .regressed }).map(\.step) == ["backfill-codes"] { caught.quiet += 1 }
            let c = noisy(Self.baseline, seed: seed, noise: 0.12)
            let d = noisy(Self.baseline, seed: seed + 1000, noise: 0.12, slower: ["backfill-codes": 1.25])
            if Comparator().compare(baseline: c, current: d).findings.contains(where: { $0.verdict == .regressed }) { caught.loud += 1 }
        }
        // With ±8% noise every time; with ±12% the samples overlap now and then, and 5 vs 5 cannot tell.
        #expect(caught.quiet == 50 && caught.loud >= 40, "\(caught)")
    }

    @Test func fourAgainstFourCanBeTested() throws {
        let base = withDurations(SampleResults.document(Options(repetitions: 4)), step: "migrate") { 100 + Double($0) }
        let slow = withDurations(SampleResults.document(Options(repetitions: 4)), step: "migrate") { 150 + Double($0) }
        // Only migrate changed; the other three steps are the same (p = 1), and Holm multiplies 2/70 by 4: not significant.
        let f = try #require(Comparator().compare(baseline: base, current: slow).findings.first { $0.step == "migrate" })
        #expect(abs((f.p ?? 0) - 2.0 / 70) < 1e-9 && f.verdict == .unchanged && f.interval != nil)
        // A scenario of that one step can call it.
        func only(_ d: ResultsDocument) -> ResultsDocument {
            var d = d
            for r in d.repetitions.indices { d.repetitions[r].steps.removeAll { $0.name != "migrate" } }
            return d
        }
        #expect(Comparator().compare(baseline: only(base), current: only(slow)).findings.first?.verdict == .regressed)
    }

    @Test func aShiftWithinTheStepsOwnNoiseIsNotCalled() throws {
        // Separated ranks and an interval past 5%, but the baseline's repetitions spread by a third.
        let base = withDurations(Self.baseline, step: "backfill-codes") { [40, 60, 80, 98, 99][$0] }
        let current = withDurations(Self.baseline, step: "backfill-codes") { [105, 106, 107, 108, 109][$0] }
        let f = try #require(Comparator().compare(baseline: base, current: current).findings.first { $0.step == "backfill-codes" })
        #expect((f.interval?[0] ?? 0) > 0.05 && (f.pAdjusted ?? 1) < 0.05 && (f.noise ?? 0) > (f.shift ?? 1), "\(f.reason)")
        #expect(f.verdict == .unchanged && f.reason.contains("within the step's noise"), "\(f.reason)")
        // A steady baseline makes the same current a regression.
        let steady = withDurations(Self.baseline, step: "backfill-codes") { [95, 96, 97, 98, 99][$0] }
        #expect(
            Comparator().compare(baseline: steady, current: current).findings.first { $0.step == "backfill-codes" }?.verdict == .regressed)
    }

    @Test func tenthsOfAMillisecondAreUnderTheFloor() {
        let base = withDurations(Self.baseline, step: "seed-rates") { 0.1 + 0.001 * Double($0) }
        let doubled = withDurations(Self.baseline, step: "seed-rates") { 0.2 + 0.001 * Double($0) }
        let f = Comparator().compare(baseline: base, current: doubled).findings.first { $0.step == "seed-rates" }
        #expect(f?.verdict == .unchanged && (f?.shift ?? 0) > 0.9 && f?.reason.contains("floor") == true)
        // The same relative change above the floor is a regression.
        let big = withDurations(Self.baseline, step: "seed-rates") { 1 + 0.01 * Double($0) }
        let bigger = withDurations(Self.baseline, step: "seed-rates") { 2 + 0.01 * Double($0) }
        let regressed = Comparator().compare(baseline: big, current: bigger).findings.filter { $0.verdict == .regressed }
        #expect(regressed.map(\.step) == ["seed-rates"])
    }

    /// Issue 15: 3 repetitions against 1 with +15–20% noise was called a regression and failed CI.
    @Test func tooFewRepetitionsAreUntestedUnlessFarBeyondTheirSpread() throws {
        let one = withDurations(SampleResults.document(Options(repetitions: 1)), step: "backfill-codes") { _ in 100 }
        let noise = withDurations(SampleResults.document(Options(repetitions: 3)), step: "backfill-codes") { [115, 120, 118][$0] }
        let report = Comparator().compare(baselines: [one], currents: [noise])
        let f = try #require(finding(report, "backfill-codes"))
        #expect(f.verdict == .untested && f.reason.contains("1 vs 3 repetitions") && f.reason.contains("needs 4 on each side"))
        #expect(!report.hasRegression)
        #expect(f.rows.first { $0.metric == "duration" }?.verdict == .untested)
        // A threshold the user set is theirs to enforce.
        #expect(Comparator(threshold: 0.10, thresholdIsExplicit: true).compare(baselines: [one], currents: [noise]).hasRegression)
        // Three times slower is far beyond a 5% spread: a regression even untested.
        let slow = withDurations(SampleResults.document(Options(repetitions: 3)), step: "backfill-codes") { [300, 310, 295][$0] }
        let three = try #require(finding(Comparator().compare(baselines: [one], currents: [slow]), "backfill-codes"))
        #expect(three.verdict == .regressed && three.reason.contains("far beyond"))
        // Twice as slow but the repetitions themselves vary from 150 to 300: untested.
        let wild = withDurations(SampleResults.document(Options(repetitions: 3)), step: "backfill-codes") { [150, 300, 210][$0] }
        #expect(finding(Comparator().compare(baselines: [one], currents: [wild]), "backfill-codes")?.verdict == .untested)
    }

    @Test func holmAdjustsInStepsAndHodgesLehmannMatchesR() throws {
        #expect(Holm.adjust([0.01, 0.04, 0.03]) == [0.03, 0.06, 0.06])
        #expect(Holm.adjust([]) == [])
        // qwilcox(0.025, n, n) in R: the rank of the interval's ends; 3 vs 3 cannot reach 95%.
        #expect(HodgesLehmann.criticalRank(3, 3, alpha: 0.05) == nil)
        #expect(HodgesLehmann.criticalRank(4, 4, alpha: 0.05) == 1)
        #expect(HodgesLehmann.criticalRank(5, 5, alpha: 0.05) == 3)
        #expect(HodgesLehmann.criticalRank(10, 10, alpha: 0.05) == 24)
        // Past 400 pairs the normal approximation: 30 vs 30 is 317 in tables.
        #expect((316...318).contains(HodgesLehmann.criticalRank(30, 30, alpha: 0.05) ?? 0))
        let e = try #require(HodgesLehmann.estimate(baseline: [10, 11, 12, 13, 14], current: [20, 22, 24, 26, 28]))
        #expect(abs(e.shift - 1) < 1e-9 && abs(e.absoluteShift - 12) < 1e-9)
        // Pairwise ratios sorted; the 3rd smallest is 22/14, the 3rd largest 28/11.
        #expect(abs(e.low - (22.0 / 14 - 1)) < 1e-9 && abs(e.high - (28.0 / 11 - 1)) < 1e-9)
    }

    @Test func normalizeDividesByTheCalibrationsAndTheirDifferenceWarns() {
        var base = Self.baseline
        base.environment.calibration = .init(roundTrips: 300, p50Ms: 0.050, p99Ms: 0.09)
        // The same code on a machine 30% slower: every time and the round trip 1.3x.
        var slower = SampleResults.document(Options(latencyScale: 1.3))
        slower.environment.calibration = .init(roundTrips: 300, p50Ms: 0.065, p99Ms: 0.12)
        let plain = Comparator().compare(baselines: [base], currents: [slower])
        #expect(plain.hasRegression)
        #expect(plain.warnings.contains { $0.contains("calibration differs: baseline 0.050 ms, current 0.065 ms a round trip (+30%)") })
        var comparator = Comparator()
        comparator.normalize = true
        let normalized = comparator.compare(baselines: [base], currents: [slower])
        #expect(!normalized.hasRegression, "\(normalized.scenarios[0].findings.map(\.reason))")
        #expect(normalized.warnings.contains { $0.contains("current times divided by 1.30 (--normalize)") })
        let p50 = normalized.scenarios[0].rows.first { $0.step == "seed-rates" && $0.metric == "p50" }
        #expect(abs(p50?.change ?? 1) < 0.01)
        // A step 50% slower on top of the machine is still caught.
        var worse = slower
        for r in worse.repetitions.indices { worse.repetitions[r].steps[3].durationMs *= 1.5 }
        worse.summary.steps["backfill-codes"]?.durationMs = worse.repetitions.map { $0.steps[3].durationMs }
        let caught = comparator.compare(baselines: [base], currents: [worse]).scenarios[0].findings.filter { $0.verdict == .regressed }
        #expect(caught.map(\.step) == ["backfill-codes"])
    }

    @Test func oneMedianEverywhere() {
        #expect(Median.of([4, 1, 3, 2]) == 2.5 && Median.of([3, 1, 2]) == 2 && Median.of([]) == nil)
        var doc = SampleResults.document(Options(repetitions: 4))
        doc = withDurations(doc, step: "migrate") { [10, 40, 20, 30][$0] }
        #expect(SummaryTable.render([doc]).contains("25.0"))
    }

    @Test func environmentDifferencesWarnAndStrictMakesThemInvalid() throws {
        var other = Self.baseline
        other.environment.postgresVersion = "16.4"
        other.environment.settings["work_mem"] = "64MB"
        other.environment.settings["jit"] = "off"
        other.environment.cpuCount = 8
        other.environment.cpuModel = "Other CPU"
        other.environment.server = .external
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
                "<failure message=\"checks regressed: started failing: add_on_rates_count_121\""))
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
        current.repetitions[2].steps[3].status = .failed
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
