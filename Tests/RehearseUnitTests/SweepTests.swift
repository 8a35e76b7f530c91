import Foundation
import Testing

@testable import RehearseEngine
@testable import RehearseReport
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport
@testable import RehearseVerdict

/// `sweep` without a server: what lint accepts, the plan of each scale, the predictions
/// made from repetitions built in code, and the document's verdict over the scales.
@Suite("Sweep and predictions")
struct SweepTests {
    static let sweepYAML = """
        name: sweep
        repeat: 2
        data: {profile: p.json}
        sweep: {scale: [0.01, 0.03, 0.1], predict: 1.0}
        steps:
          - {name: schema, sql: "CREATE TABLE leads (id bigint PRIMARY KEY)"}
          - {name: fill, synthesize: {seed: 3}}
          - {name: fixed, synthesize: {scale: 0.5, tables: [leads]}}
          - {name: rewrite, sql: "ALTER TABLE leads ALTER COLUMN id TYPE numeric"}
        targets:
          rewrite: ["predicted.lock_hold < 2s", "predicted.duration < 1h", "duration < 10s"]
          fill: ["predicted.duration <= 30s"]
        """

    static func scenario(_ yaml: String = sweepYAML) throws -> Scenario {
        let (scenario, errors) = try SynthesizeLintTests.lint(yaml)
        return try #require(scenario, "\(errors)")
    }

    // MARK: the format

    @Test func lintReadsTheSweepAndItsTargets() throws {
        let scenario = try Self.scenario()
        #expect(scenario.sweep?.scales == [0.01, 0.03, 0.1] && scenario.sweep?.predict == 1.0)
        let rewrite = try #require(scenario.targets.first { $0.step == "rewrite" })
        #expect(rewrite.targets.map(\.predicted) == [.lockHold(relation: nil), .duration, nil])
        #expect(rewrite.targets[0].value == 2000 && rewrite.targets[0].op == .lt)
        let (defaults, errors) = try SynthesizeLintTests.lint(
            "name: x\ndata: {profile: p.json}\nsweep: {scale: [0.1, 0.2, 0.4]}\nsteps: [{synthesize: }]\n")
        #expect(errors.isEmpty, "\(errors)")
        #expect(defaults?.sweep?.predict == 1.0)
    }

    @Test func lintRefusesWhatCannotBeFittedOrJudged() throws {
        let steps = "steps: [{name: fill, synthesize: }]\n"
        let head = "name: x\ndata: {profile: p.json}\n"
        let cases: [(String, String)] = [
            (head + "sweep: {scale: [0.1, 0.05, 0.2]}\n" + steps, "scales must increase"),
            (head + "sweep: {scale: [0.1, 0.1, 0.2]}\n" + steps, "scales must increase"),
            (head + "sweep: {scale: [0.1]}\n" + steps, "expected 2 to 20 scales"),
            (head + "sweep: {scale: [0, 0.1, 0.2]}\n" + steps, "not a scale"),
            (head + "sweep: {scale: [0.1, 0.2, 0.3], predict: 0}\n" + steps, "not a scale"),
            (head + "sweep: {predict: 1}\n" + steps, "missing required key 'scale'"),
            (head + "sweep: {scale: [0.1, 0.2, 0.3], rows: 5}\n" + steps, "unknown key 'rows'"),
            (head + "sweep: {scale: [0.1, 0.2]}\n" + steps, "needs 3"),
            (head + "sweep: {scale: [0.1, 0.2, 0.3]}\nsteps: [{name: fill, synthesize: {scale: 0.5}}]\n", "without a `scale` of its own"),
            (head + steps + "targets: {fill: ['predicted.duration < 1s']}\n", "needs `sweep"),
            (head + "sweep: {scale: [0.1, 0.2, 0.3]}\n" + steps + "targets: {fill: ['predicted.duration > 1s']}\n", "upper bound"),
            (head + "sweep: {scale: [0.1, 0.2, 0.3]}\n" + steps + "targets: {fill: ['predicted.rows < 1s']}\n", "unknown predicted metric"),
            (
                head + "sweep: {scale: [0.1, 0.2, 0.3]}\nsteps:\n  - {name: fill, synthesize: }\n"
                    + "  - {name: w, background: true, workload: {rate: 1/s, transactions: [{sql: 'SELECT 1'}]}}\n"
                    + "  - {name: d, sql: 'SELECT 1'}\ntargets: {d.impact: ['predicted.duration < 1s']}\n",
                "a prediction is made per step"
            ),
        ]
        for (yaml, message) in cases {
            let (_, errors) = try SynthesizeLintTests.lint(yaml)
            #expect(errors.contains { $0.description.contains(message) }, "\(yaml): \(errors)")
            #expect(errors.allSatisfy { $0.line >= 1 && $0.column >= 1 })
        }
        // Two scales of two repetitions are enough.
        let (_, errors) = try SynthesizeLintTests.lint(head + "repeat: 2\nsweep: {scale: [0.1, 0.2]}\n" + steps)
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func predictedTargetsParse() throws {
        let location = SourceLocation(file: "s.yaml", line: 1, column: 1)
        let hold = try TargetParser.parse("predicted.lock_hold.leads <= 500ms", location: location).get()
        #expect(hold.predicted == .lockHold(relation: "leads") && hold.value == 500 && hold.op == .le && hold.metric == .duration)
        let duration = try TargetParser.parse("predicted.duration < 30s", location: location).get()
        #expect(duration.predicted == .duration && duration.value == 30_000)
        #expect(throws: TargetParseError.self) { try TargetParser.parse("predicted.lock_hold. < 1s", location: location).get() }
        #expect(throws: TargetParseError.self) { try TargetParser.parse("predicted.duration < fast", location: location).get() }
        #expect(try TargetParser.parse("duration < 1s", location: location).get().predicted == nil)
    }

    // MARK: the plan

    @Test func eachScaleRunsTheScenarioWithItsScale() throws {
        let scenario = try Self.scenario()
        let plan = try #require(SweepPlan(scenario))
        #expect(plan.scales == [0.01, 0.03, 0.1] && plan.predict == 1.0)
        // The sample profile's leads: the n of n·log n.
        #expect(plan.rows == 1_000_000)
        let scaled = SweepPlan.scenario(scenario, at: 0.03)
        let scales = scaled.steps.compactMap { step -> Double? in
            if case .synthesize(let spec) = step.kind { spec.scale } else { nil }
        }
        #expect(scales == [0.03, 0.5], "a step's own scale stays")
        // Predicted targets are the sweep's; the others are judged at each scale as usual.
        #expect(scaled.targets.map(\.step) == ["rewrite"])
        #expect(scaled.targets.flatMap(\.targets).map(\.text) == ["duration < 10s"])
        let largest = SweepPlan.largestScale(of: scenario)
        #expect(largest.sweep == nil)
        if case .synthesize(let spec) = largest.steps[1].kind { #expect(spec.scale == 0.1) }
        #expect(SweepPlan(largest) == nil)
    }

    // MARK: predictions

    static func step(
        _ name: String, ms: Double, status: StepStatus = .ok, locks: [LockTaken] = [], background: Bool? = nil
    ) -> StepResult {
        var step = StepResult(name: name, kind: "sql", status: status, durationMs: ms, batches: 1, rows: 0, errors: [:])
        step.locksTaken = locks
        step.background = background
        return step
    }

    static func repetition(_ steps: [StepResult]) -> RepetitionResult {
        let failed = steps.contains { $0.status == .failed }
        return RepetitionResult(
            verdict: failed ? .blocked : .approved, steps: steps, faults: [], checks: [], targets: [],
            rollback: RollbackResult(status: .notRun, differences: []))
    }

    /// A rewrite of 20 ms + 40 s per unit of scale (±1%), holding the table's lock for all
    /// but a millisecond of it; a background workload; a failed repetition that must not count.
    static func scales(failAt failing: Double? = nil) -> [SweepAssembly.Scale] {
        [0.01, 0.03, 0.1].map { s in
            let reps = [0.99, 1.01].map { jitter -> RepetitionResult in
                let ms = (20 + 40_000 * s) * jitter
                return repetition([
                    step("traffic", ms: 5000, background: true),
                    step(
                        "rewrite", ms: ms,
                        locks: [
                            LockTaken(relation: "leads", kind: "relation", mode: "AccessExclusiveLock", heldMs: ms - 1, exact: true),
                            LockTaken(relation: "leads", kind: "row", mode: "AccessExclusiveLock", heldMs: 99_999, exact: true),
                        ]),
                ])
            }
            var failed = step("rewrite", ms: 1_000_000, status: .failed)
            failed.error = ErrorInfo(sqlstate: "55P03", message: "lock timeout")
            // What each scale's targets are judged on: the durations merged over its repetitions.
            var merged = StepMetrics()
            merged.durationsMs = reps.map { $0.steps[1].durationMs }
            return SweepAssembly.Scale(
                scale: s, repetitions: reps + (s == failing ? [repetition([failed])] : []), merged: ["rewrite": merged])
        }
    }

    @Test func predictionsFitEveryScaleAndLeaveOutWhatDidNotMeasureTheStep() throws {
        let predictions = SweepPredictions.make(
            Self.scales(failAt: 0.03).map { .init(scale: $0.scale, repetitions: $0.repetitions) }, predict: 1, rows: 1_000_000)
        #expect(predictions["traffic"] == nil, "a background workload runs as long as the steps beside it")
        let rewrite = try #require(predictions["rewrite"])
        let duration = try #require(rewrite.durationMs)
        #expect(rewrite.scale == 1)
        #expect(duration.model == .linear && duration.r2 > 0.99)
        #expect(abs(duration.value - 40_020) < 400, "\(duration)")
        #expect(duration.low <= 40_020 && 40_020 <= duration.high)
        #expect(duration.high - duration.low < 4000, "the failed repetition's 1,000 s left out: \(duration)")
        #expect(abs((duration.curve(at: 0.1) ?? 0) - 4020) < 100)
        // Table locks only: a row lock (a tuple lock in a strong mode) is no table lock.
        #expect(rewrite.lockHold?.keys.sorted() == ["leads"])
        let hold = try #require(rewrite.lockHold?["leads"]?["AccessExclusiveLock"])
        #expect(abs(hold.value - 40_019) < 400)
        #expect(rewrite.lockHoldExact == true)
        #expect(rewrite.longestHold()?.mode == "AccessExclusiveLock")
    }

    @Test func sampledHoldsAndTooFewScalesAreSaid() throws {
        let scales = [0.01, 0.1].map { s in
            SweepPredictions.Scale(
                scale: s,
                repetitions: [1.0, 1.1].map { j in
                    Self.repetition([
                        Self.step("run", ms: 100 * s * j, locks: [LockTaken(relation: "t", mode: "ShareLock", heldMs: 50, exact: false)]),
                        Self.step("once", ms: s == 0.1 ? 5 : 1, status: s == 0.1 ? .ok : .skipped),
                    ])
                })
        }
        let predictions = SweepPredictions.make(scales, predict: 1, rows: 1000)
        #expect(predictions["run"]?.lockHoldExact == false)
        #expect(predictions["once"] == nil, "one scale is no line")
    }

    /// Holds sampled to 50 ms can read longer than a short step ran: the predicted hold is
    /// never longer than the predicted duration, bound for bound.
    @Test func aPredictedHoldIsNoLongerThanThePredictedStep() throws {
        let scales = [0.01, 0.03, 0.1].map { s in
            SweepPredictions.Scale(
                scale: s,
                repetitions: [0.98, 1.02].map { j in
                    Self.repetition([
                        Self.step(
                            "alter", ms: 400 * s * j,
                            locks: [LockTaken(relation: "t", mode: "AccessExclusiveLock", heldMs: 400 * s * j + 50, exact: false)])
                    ])
                })
        }
        let prediction = try #require(SweepPredictions.make(scales, predict: 1, rows: 1000)["alter"])
        let duration = try #require(prediction.durationMs)
        let hold = try #require(prediction.lockHold?["t"]?["AccessExclusiveLock"])
        #expect(hold.value <= duration.value && hold.low <= duration.low && hold.high <= duration.high, "\(hold) against \(duration)")
        #expect(hold.value > 0.9 * duration.value, "capped, not dropped: \(hold)")
    }

    // MARK: the document

    static func document() -> ResultsDocument {
        ResultsDocument(
            scenario: .init(name: "sweep", file: "s.yaml", sha256: ""), run: .init(id: "r", startedAt: "", finishedAt: ""),
            environment: .init(
                rehearseVersion: "", postgresVersion: "", server: .embedded, settings: [:], os: "", cpuModel: "", cpuCount: 1,
                memoryBytes: 1),
            verdict: .approved, reasons: [], expectation: .init(met: true, mismatches: []), repetitions: [],
            summary: .init(steps: [:]))
    }

    @Test func theVerdictIsBlockedByAnyScaleAndByAMissedPrediction() throws {
        var scenario = try Self.scenario()
        scenario.expect.verdict = .blocked
        let plan = try #require(SweepPlan(scenario))
        var document = Self.document()
        SweepAssembly.complete(&document, scenario: scenario, plan: plan, scales: Self.scales(failAt: 0.03), interrupted: false)
        #expect(document.verdict == .blocked)
        #expect(document.sweep?.map(\.scale) == [0.01, 0.03, 0.1])
        #expect(document.sweep?.map(\.verdict) == [.approved, .blocked, .approved])
        #expect(document.sweep?[1].repetitions.count == 3)
        #expect(document.reasons.contains("scale 0.03: step rewrite failed: 55P03 lock timeout"), "\(document.reasons)")
        let rewrite = try #require(document.predictions?["rewrite"]?.targets)
        #expect(rewrite.map(\.passed) == [false, true])
        #expect(rewrite[0].relation == "leads" && rewrite[0].mode == "AccessExclusiveLock" && rewrite[0].limit == 2000)
        #expect(rewrite[0].actual == document.predictions?["rewrite"]?.lockHold?["leads"]?["AccessExclusiveLock"]?.high.rounded3)
        #expect(
            document.reasons.contains {
                $0.hasPrefix("target rewrite: predicted.lock_hold < 2s (predicted") && $0.contains("leads AccessExclusiveLock")
            }, "\(document.reasons)")
        // `fill` took no time in these repetitions: no prediction, and its target says so.
        #expect(document.predictions?["fill"]?.targets?.first?.passed == false)
        #expect(document.reasons.contains { $0.contains("predicted.duration <= 30s (no prediction") }, "\(document.reasons)")
        #expect(document.expectation.met, "\(document.expectation.mismatches)")
        #expect(document.predictionMethod?.level == 0.95 && document.predictionMethod?.rows == 1_000_000)
        // The same reason at several scales is said once.
        let twice = SweepAssembly.scaleReasons([
            SweepScale(scale: 0.01, verdict: .blocked, reasons: ["x"], repetitions: []),
            SweepScale(scale: 0.03, verdict: .blocked, reasons: ["x", "y"], repetitions: []),
        ])
        #expect(twice == ["scales 0.01, 0.03: x", "scale 0.03: y"])
    }

    @Test func aSweepThatMeetsItsTargetsIsApprovedAndAMissingScaleIsNot() throws {
        let scenario = try Self.scenario(
            Self.sweepYAML.replacingOccurrences(of: "< 2s", with: "< 60s")
                .replacingOccurrences(of: "  fill: [\"predicted.duration <= 30s\"]", with: ""))
        let plan = try #require(SweepPlan(scenario))
        var document = Self.document()
        SweepAssembly.complete(&document, scenario: scenario, plan: plan, scales: Self.scales(), interrupted: false)
        #expect(document.verdict == .approved, "\(document.reasons)")
        #expect(document.expectation.met)
        var cut = Self.document()
        SweepAssembly.complete(&cut, scenario: scenario, plan: plan, scales: Array(Self.scales().prefix(2)), interrupted: true)
        #expect(cut.verdict == .blocked)
        #expect(cut.reasons.contains("scale 0.1 did not run") && cut.reasons.contains("the run was interrupted"))
        #expect(!cut.expectation.met)
    }

    @Test func theDocumentRoundTripsAndPassesTheLoadersChecks() throws {
        let scenario = try Self.scenario()
        var document = Self.document()
        SweepAssembly.complete(
            &document, scenario: scenario, plan: try #require(SweepPlan(scenario)), scales: Self.scales(), interrupted: false)
        let data = try ResultsCoding.encoder().encode(document)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"predictions\"", "\"duration_ms\"", "\"lock_hold\"", "\"prediction_method\"", "\"sweep\"", "\"r2\""] {
            #expect(text.contains(key), "missing \(key)")
        }
        let decoded = try ResultsCoding.decoder().decode(ResultsDocument.self, from: data)
        #expect(decoded.predictions?["rewrite"]?.durationMs == document.predictions?["rewrite"]?.durationMs)
        #expect(decoded.sweep?.count == 3)
        #expect(ResultsValidator.numberProblem(in: data) == nil)
    }

    @Test func theSummaryAndTheReportShowThePredictions() throws {
        var scenario = try Self.scenario()
        scenario.targets.removeAll { $0.step == "fill" }
        var document = Self.document()
        document.repetitions = Self.scales().last?.repetitions ?? []
        SweepAssembly.complete(
            &document, scenario: scenario, plan: try #require(SweepPlan(scenario)), scales: Self.scales(), interrupted: false)
        let summary = SummaryTable.render([document])
        #expect(summary.contains("predicted at scale 1.0 from scales 0.01, 0.03, 0.1 (95% prediction interval)"), "\(summary)")
        let line = try #require(summary.split(separator: "\n").first { $0.hasPrefix("  rewrite") && $0.contains("linear") })
        #expect(line.contains("40.0 s") && line.contains("leads AccessExclusiveLock"), "\(line)")
        #expect(summary.contains("predicted targets: 1/2 held"))
        // OpenMetrics: the prediction and its bounds, per step and per lock.
        let metrics = OpenMetrics.render([document])
        let fit = try #require(document.predictions?["rewrite"]?.durationMs)
        #expect(
            metrics.contains(
                "rehearse_step_predicted_duration_seconds{scenario=\"sweep\",step=\"rewrite\",postgres_major=\"\",run_id=\"r\",scale=\"1\",bound=\"high\"} \(OpenMetrics.number(fit.high / 1000))"
            ), "\(metrics)")
        #expect(metrics.contains("relation=\"leads\",mode=\"AccessExclusiveLock\",bound=\"value\"}"))
        let html = HTMLReport.render(documents: [document])
        #expect(html.contains("<h3>Predicted at scale 1.0</h3>"))
        // The rewrite's charts: its lock hold and its duration (both have predicted targets),
        // each with six measured points, the predicted point and its interval bar.
        let charts = html.components(separatedBy: "<figure style=").dropFirst()
        #expect(charts.count == 2, "\(charts.count) charts")
        for chart in charts {
            #expect(chart.components(separatedBy: "<circle").count - 1 == 7)
            #expect(chart.contains("95% interval"))
            #expect(chart.contains("stroke-dasharray"), "the target's line")
        }
    }
}

extension Double {
    fileprivate var rounded3: Double { (self * 1000).rounded() / 1000 }
}
