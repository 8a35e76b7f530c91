import Foundation
import PostgresClient
import RehearseHistogram
import RehearseResults

extension Seed {
    typealias RangeOutcome = (Int, StepMeasurement, MissingSeedObservation?)

    /// Runs the plan's streams, each on a connection of its own (the step's for the
    /// first), and merges what their ranges measured in file order, so the skipped rows
    /// and keys read as one stream's would.
    static func streams(
        _ plan: SeedPlan, context: StepContext, connection: Connection
    ) async throws -> (StepMeasurement, MissingSeedObservation?) {
        if plan.streams == 1 {
            return try merge(plan, [.success(try await connection.cancellable { session in try stream(plan, session: session) })])
        }
        var connections = [connection]
        do {
            for _ in 1..<plan.streams { connections.append(try await context.connect(label: "rehearse-seed")) }
        } catch {
            for extra in connections.dropFirst() { await context.release(extra) }
            throw error
        }
        let outcomes = await withTaskCancellationHandler {
            await withTaskGroup(of: Result<[RangeOutcome], any Error>.self) { group in
                for streamConnection in connections {
                    group.addTask {
                        do {
                            return .success(try await streamConnection.cancellable { session in try stream(plan, session: session) })
                        } catch {
                            plan.stop.stop()
                            return .failure(error)
                        }
                    }
                }
                var outcomes: [Result<[RangeOutcome], any Error>] = []
                for await outcome in group {
                    if case .success(let done) = outcome, done.contains(where: { $0.1.failure != nil }) { plan.stop.stop() }
                    outcomes.append(outcome)
                }
                return outcomes
            }
        } onCancel: {
            plan.stop.abandon()
        }
        for extra in connections.dropFirst() { await context.release(extra) }
        return try merge(plan, outcomes)
    }

    /// One measurement from the ranges', in file order: an error a stream threw (a bad
    /// record) is the step's; else the first failure that is not a cancel (57014), else
    /// the first.
    static func merge(
        _ plan: SeedPlan, _ outcomes: [Result<[RangeOutcome], any Error>]
    ) throws -> (StepMeasurement, MissingSeedObservation?) {
        var ranges: [RangeOutcome] = []
        for outcome in outcomes { ranges += try outcome.get() }
        ranges.sort { $0.0 < $1.0 }
        var measurement = StepMeasurement()
        var observation: MissingSeedObservation? = plan.filters.isEmpty ? nil : MissingSeedObservation()
        var failures: [ErrorInfo] = []
        for (_, part, seen) in ranges {
            measurement.latency.merge(part.latency)
            measurement.batches += part.batches
            measurement.rows += part.rows
            if let skipped = part.rowsSkipped { measurement.rowsSkipped = (measurement.rowsSkipped ?? 0) + skipped }
            if let keys = part.skippedRows { measurement.skippedRows = Array(((measurement.skippedRows ?? []) + keys).prefix(20)) }
            measurement.errors.merge(part.errors, uniquingKeysWith: +)
            if let failure = part.failure { failures.append(failure) }
            if let seen, var merged = observation {
                merged.removed += seen.removed
                merged.keys = Array((merged.keys + seen.keys).prefix(20))
                observation = merged
            }
        }
        measurement.failure = failures.first { $0.sqlstate != "57014" } ?? failures.first
        return (measurement, observation)
    }
}
