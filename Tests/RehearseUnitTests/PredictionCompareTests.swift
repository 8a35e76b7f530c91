import Foundation
import TestBasics
import Testing

@testable import RehearseResults

/// `compare` on the sweep's predictions: by their intervals, never by point values alone.
@Suite("Predictions in compare")
struct PredictionCompareTests {
    static func fit(_ value: Double, _ low: Double, _ high: Double) -> ScaleFit {
        ScaleFit(value: value, low: low, high: high, model: .linear, r2: 0.99)
    }

    /// The sample document with a prediction for `migrate`: its duration, and its hold of
    /// `leads`' AccessExclusiveLock.
    static func document(duration: ScaleFit, hold: ScaleFit, scale: Double = 1) -> ResultsDocument {
        var document = SampleResults.document()
        document.predictions = [
            "migrate": StepPrediction(scale: scale, durationMs: duration, lockHold: ["leads": ["AccessExclusiveLock": hold]])
        ]
        return document
    }

    static let baseline = document(duration: fit(7100, 5500, 8700), hold: fit(7000, 5400, 8600))

    func predicted(_ current: ResultsDocument) -> Finding? {
        let report = Comparator().compare(baselines: [Self.baseline], currents: [current])
        return report.scenarios.first?.findings.first { $0.metric?.hasPrefix("predicted") == true }
    }

    @Test func anIntervalWhollyAboveTheBaselinesIsARegression() throws {
        let current = Self.document(duration: Self.fit(7200, 5600, 8800), hold: Self.fit(12_000, 10_100, 13_900))
        let finding = try #require(predicted(current))
        #expect(finding.verdict == .regressed)
        #expect(finding.metric == "predicted.lock_hold.leads.AccessExclusiveLock", "\(finding)")
        #expect(finding.reason.contains("7000 ms (5400–8600) → 12000 ms (10100–13900)"), "\(finding.reason)")
        #expect(finding.rows.map(\.verdict) == [.unchanged, .regressed])
        let report = Comparator().compare(baselines: [Self.baseline], currents: [current])
        #expect(report.scenarios.first?.hasRegression == true)
    }

    @Test func overlappingIntervalsAreNoChangeWhateverThePoints() throws {
        let current = Self.document(duration: Self.fit(8500, 6900, 10_100), hold: Self.fit(7000, 5400, 8600))
        let finding = try #require(predicted(current))
        #expect(finding.verdict == .unchanged, "\(finding)")
        #expect(Comparator().compare(baselines: [Self.baseline], currents: [Self.baseline]).scenarios.first?.hasRegression == false)
    }

    @Test func anIntervalWhollyBelowIsAnImprovement() throws {
        let current = Self.document(duration: Self.fit(2000, 1000, 3000), hold: Self.fit(1900, 900, 2900))
        let finding = try #require(predicted(current))
        #expect(finding.verdict == .improved)
        #expect(finding.metric == "predicted.duration")
    }

    @Test func predictionsForAnotherScaleAreNotCompared() throws {
        let current = Self.document(duration: Self.fit(70_000, 60_000, 80_000), hold: Self.fit(70_000, 60_000, 80_000), scale: 10)
        let finding = try #require(predicted(current))
        #expect(finding.verdict == .changed)
        #expect(finding.reason.contains("scale 1 → 10"), "\(finding.reason)")
    }
}
