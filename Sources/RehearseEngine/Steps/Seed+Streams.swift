import Foundation
import PostgresClient
import RehearseResults
import RehearseHistogram

extension Seed {
    /// Runs the plan's streams, each on a connection of its own (the step's for the
    /// first), and merges what they measured in file order, so the skipped rows and
    /// keys read as one stream's would.
    static func streams(
        _ plan: SeedPlan, context: StepContext, connection: Connection
    ) async throws -> (StepMeasurement, MissingSeedObservation?) {
        if plan.ranges.isEmpty { return (StepMeasurement(), plan.filters.isEmpty ? nil : MissingSeedObservation()) }
        if plan.ranges.count == 1 {
            return try await connection.cancellable { session in try stream(plan, index: 0, session: session) }
        }
        var connections = [connection]
        do {
            for _ in 1..<plan.ranges.count { connections.append(try await context.connect(label: "rehearse-seed")) }
        } catch {
            for extra in connections.dropFirst() { await context.release(extra) }
            throw error
        }
        typealias Outcome = Result<(StepMeasurement, MissingSeedObservation?), any Error>
        let outcomes = await withTaskCancellationHandler {
            await withTaskGroup(of: (Int, Outcome).self) { group in
                for (index, streamConnection) in connections.enumerated() {
                    group.addTask {
                        do {
                            let result = try await streamConnection.cancellable { session in
                                try stream(plan, index: index, session: session)
                            }
                            return (index, .success(result))
                        } catch {
                            plan.stop.stop()
                            return (index, .failure(error))
                        }
                    }
                }
                var outcomes = [Outcome?](repeating: nil, count: connections.count)
                for await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes.compactMap { $0 }
            }
        } onCancel: {
            plan.stop.abandon()
        }
        for extra in connections.dropFirst() { await context.release(extra) }
        return try merge(outcomes)
    }

    /// One measurement from the streams', in file order: an error a stream threw (a bad
    /// record) is the step's; else the first failure that is not a stream stopping
    /// because of another's (57014), else the first.
    static func merge(
        _ outcomes: [Result<(StepMeasurement, MissingSeedObservation?), any Error>]
    ) throws -> (StepMeasurement, MissingSeedObservation?) {
        var measurement = StepMeasurement()
        var observation: MissingSeedObservation?
        var failures: [ErrorInfo] = []
        for outcome in outcomes {
            let (part, seen) = try outcome.get()
            measurement.latency.merge(part.latency)
            measurement.batches += part.batches
            measurement.rows += part.rows
            if let skipped = part.rowsSkipped { measurement.rowsSkipped = (measurement.rowsSkipped ?? 0) + skipped }
            if let keys = part.skippedRows { measurement.skippedRows = Array(((measurement.skippedRows ?? []) + keys).prefix(20)) }
            measurement.errors.merge(part.errors, uniquingKeysWith: +)
            if let failure = part.failure { failures.append(failure) }
            if let seen {
                var merged = observation ?? MissingSeedObservation()
                merged.removed += seen.removed
                merged.keys = Array((merged.keys + seen.keys).prefix(20))
                observation = merged
            }
        }
        measurement.failure = failures.first { $0.sqlstate != "57014" } ?? failures.first
        return (measurement, observation)
    }
}
