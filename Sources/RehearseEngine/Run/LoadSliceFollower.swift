import Foundation
import RehearseResults
import RehearseScenario
import RehearseSupport

/// A repetition of a load slice other than slice 1: in the database slice 1 created, it
/// drives its share of each workload (a background one beside the next), starting with the other slices at the
/// barrier, and runs nothing else (slice 1 runs the other steps, the checks and the rollback).
struct LoadSliceFollower: Sendable {
    let scenario: Scenario
    let host: any DatabaseHost
    let database: String
    let barrier: LoadSliceBarrier
    let progress: ProgressReporter?

    func run() async -> RepetitionRunner.Outcome {
        let sessions = SessionDirectory()
        let snapshots = SnapshotStore()
        let boundaries = StepBoundaries()
        let origin = monotonicNanos()
        var records: [String: StepRecord] = [:]
        var infrastructureFailure: String?
        var backgrounds: [(step: Step, started: UInt64, task: Task<StepMeasurement, Never>)] = []
        func record(_ step: Step, _ measurement: StepMeasurement, started: UInt64) {
            let ended = monotonicNanos() - origin
            if measurement.skippedBySlices {
                records[step.name] = .skipped
                return
            }
            // The share starts at the barrier, not where this slice began to wait for it.
            let started = measurement.sliceStart.map { $0 - origin } ?? started
            records[step.name] = StepRecord(
                measurement: measurement, started: started, ended: ended, status: measurement.failure != nil ? .failed : .ok)
            progress?.stepFinished(
                scenario: scenario.name, step: step.name, measurement: measurement, durationMs: Double(ended - started) / 1e6)
            if let why = measurement.infrastructureFailure, infrastructureFailure == nil { infrastructureFailure = why }
        }
        for step in scenario.steps {
            guard case .workload(let spec) = step.kind else { continue }
            let context = StepContext(
                scenario: scenario, step: step, host: host, database: database, sessions: sessions, missingSeed: [],
                memoryLimit: nil, snapshots: snapshots, origin: origin, boundaries: boundaries, loadSlice: barrier)
            progress?.stepStarted(scenario: scenario.name, step: step.name, background: step.background)
            let started = monotonicNanos() - origin
            if step.background {
                // Runs beside the next workloads until slice 1 stops its share.
                backgrounds.append((step, started, Task { await Workload.run(spec, context: context, stop: StopSignal()) }))
                continue
            }
            record(step, await Workload.run(spec, context: context, stop: StopSignal()), started: started)
            if infrastructureFailure != nil { break }
        }
        for background in backgrounds {
            if infrastructureFailure != nil { background.task.cancel() }
            record(background.step, await background.task.value, started: background.started)
        }
        if infrastructureFailure == nil {
            do { _ = try await barrier.arrive("end", wait: false) } catch { infrastructureFailure = "\(error)" }
        }
        let assembled = RepetitionAssembly.steps(of: scenario, records: records, locks: nil, memory: [], sliced: true)
        let (verdict, reasons) = RepetitionAssembly.verdict(steps: assembled.results, checks: [], targets: [])
        let rollback = RollbackResult(
            status: .notRun, differences: [], reason: "load slice \(barrier.slice): slice 1 runs the checks and the rollback")
        return .init(
            result: RepetitionResult(
                verdict: verdict, steps: assembled.results, faults: [], checks: [], targets: [], rollback: rollback, reasons: reasons),
            metrics: assembled.metrics, impacts: assembled.impacts, infrastructureFailure: infrastructureFailure)
    }
}
