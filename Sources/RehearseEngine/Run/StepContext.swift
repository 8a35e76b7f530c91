import Foundation
import PostgresClient
import RehearseScenario

/// Everything a step needs to run against the repetition's database.
struct StepContext: Sendable {
    var scenario: Scenario
    var step: Step
    var host: any DatabaseHost
    var database: String
    var sessions: SessionDirectory
    /// Rows to leave out of seed CSVs (the `missing_seed` faults).
    var missingSeed: [MissingSeedFault]
    /// A memory limit for this step (a `memory_cap` fault naming it).
    var memoryLimit: Int64?
    /// Whether a limit that cannot be enforced ends the run (exit 3) or is recorded as not applied.
    var memoryCapRequired = true
    /// Snapshots taken so far in this repetition.
    var snapshots: SnapshotStore
    /// The repetition's start, for times relative to it.
    var origin: UInt64
    /// When steps began and ended, for background workloads (see `StepBoundaries`).
    var boundaries: StepBoundaries
    /// Batches done so far, for the live progress line.
    var progress = LiveCounter()
    /// `--load-slice`: where this process meets the other slices before a foreground workload.
    var loadSlice: LoadSliceBarrier? = nil

    var conninfo: String { host.conninfo(database: database) }

    /// A connection registered as this step's, so the lock observer attributes its locks.
    func connect(label: String = "rehearse-step") async throws -> Connection {
        let connection = try await Connection.connect(conninfo, overrides: [("application_name", "rehearse:\(step.name)")], label: label)
        sessions.register(connection.backendPID, as: .step(step.name))
        return connection
    }

    /// Runs `body` with a step connection and releases it before returning; a failure
    /// to connect is the step's failure.
    func withConnection(_ body: (Connection) async -> StepMeasurement) async -> StepMeasurement {
        let connection: Connection
        do { connection = try await connect() } catch {
            var measurement = StepMeasurement()
            measurement.fail(asPostgres(error))
            return measurement
        }
        let measurement = await body(connection)
        await release(connection)
        return measurement
    }

    func release(_ connection: Connection) async {
        sessions.unregister(connection.backendPID)
        await connection.close()
    }

    func resolve(_ source: SQLSource) throws -> String {
        switch source {
        case .inline(let text): return text
        case .file(let url):
            do { return try String(contentsOf: url, encoding: .utf8) } catch {
                throw PostgresError(kind: .client, message: "cannot read \(url.path): \(error.localizedDescription)")
            }
        }
    }
}

extension Connection {
    /// Runs `body` on the session thread; cancelling the calling task cancels the
    /// statement running on the server (from a thread of its own). With `repeating`,
    /// the cancel goes again every 50 ms until `body` has returned: for a workload's
    /// lanes, which stop when cancelled, so no cleanup statement of theirs is hit.
    func cancellable<T: Sendable>(
        repeating: Bool = false, _ body: @escaping @Sendable (Session) throws -> T
    )
        async throws -> T
    {
        let finished = CompletionFlag()
        defer { finished.set() }
        return try await withTaskCancellationHandler {
            try await withSession(body)
        } onCancel: {
            self.cancelSoon(repeatingUntil: repeating ? finished : nil)
        }
    }
}
