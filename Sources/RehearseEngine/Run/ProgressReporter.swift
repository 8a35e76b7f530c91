import Foundation
import RehearseHistogram
import RehearseResults
import RehearseSupport
import Synchronization

/// Progress lines on stderr while scenarios run (on a terminal, or when asked).
final class ProgressReporter: Sendable {
    private let lock = Mutex(())

    func emit(_ line: String) {
        lock.withLock { _ in FileHandle.standardError.write(Data((OutgoingText.terminal(line) + "\n").utf8)) }
    }

    func scenarioStarted(_ name: String, repetition: Int, of total: Int) {
        emit("▶ \(name)" + (total > 1 ? " (repetition \(repetition)/\(total))" : ""))
    }

    func stepStarted(scenario: String, step: String, background: Bool) {
        emit("  · \(step)" + (background ? " started in the background" : " …"))
    }

    func stepFinished(scenario: String, step: String, measurement: StepMeasurement, durationMs: Double) {
        var line =
            "  \(measurement.failure == nil ? "✓" : "✗") \(step): \(String(format: "%.1f", durationMs)) ms, \(measurement.batches) batches"
        if measurement.latency.count > 0 {
            line += String(format: ", p95 %.2f ms", measurement.latency.millis(atPercentile: 95))
            if durationMs > 0 { line += String(format: ", %.0f/s", Double(measurement.batches) / durationMs * 1000) }
        }
        if let failure = measurement.failure { line += " — \(failure.sqlstate.map { "\($0) " } ?? "")\(failure.message)" }
        emit(line)
    }

    /// On a terminal, rewrites one line every second while a step runs: batches and rate.
    func live(step: String, counter: LiveCounter) -> Task<Void, Never>? {
        guard isatty(2) == 1 else { return nil }
        return Task {
            let start = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                let seconds = (ContinuousClock.now - start).milliseconds / 1000
                let done = counter.current
                lock.withLock { _ in
                    FileHandle.standardError.write(
                        Data(
                            String(format: "\r  · %@: %d batches, %.0f/s, %.0f s ", step, done, Double(done) / max(seconds, 0.001), seconds)
                                .utf8))
                }
            }
            lock.withLock { _ in FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}
