import Foundation
import RehearseScenario
import RehearseSupport

/// Where a workload step meets the other load slices.
extension LoadSliceBarrier {
    /// Before the lanes start: waits for every slice, and returns whether to run them (false:
    /// slice 1 skipped the step, or a slice never came; `measurement` says which).
    func start(_ step: Step, measurement: inout StepMeasurement) async -> Bool {
        do {
            if try await arrive(step.name, together: true) == .skipped {
                measurement.skippedBySlices = true
                return false
            }
        } catch {
            measurement.infrastructureFailure = "\(error)"
            return false
        }
        measurement.wallStart = Date()
        measurement.sliceStart = monotonicNanos()
        return true
    }

    /// The other slices' share of a background workload stops when slice 1's does.
    func watchStop(of step: Step, stop: StopSignal) -> Task<Void, Never>? {
        guard step.background, !slice.leads else { return nil }
        return Task {
            await waitForStop(of: step.name)
            stop.stop()
        }
    }

    /// After the lanes: slice 1 says its share of a background workload stopped, and waits
    /// until every slice's share is done, so the step after a workload starts after all of it.
    func finish(_ step: Step, measurement: inout StepMeasurement) async {
        if step.background && slice.leads { _ = try? await arrive("\(step.name) stop", wait: false) }
        do { _ = try await arrive("\(step.name) done", wait: slice.leads) } catch {
            measurement.infrastructureFailure = "\(error)"
        }
    }
}
