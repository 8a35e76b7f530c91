import Foundation
import PostgresClient
import RehearseScenario
import RehearseResults
import RehearseSupport

/// The `lock` fault: a separate session takes a lock while the named step runs, then lets go.
final class LockFaultRunner: Sendable {
    let fault: LockFault
    let id: Int
    let connection: Connection
    let origin: UInt64
    private let holding: Task<FaultResult, Never>

    var pid: Int32 { connection.backendPID }

    private init(fault: LockFault, id: Int, connection: Connection, origin: UInt64, holding: Task<FaultResult, Never>) {
        self.fault = fault
        self.id = id
        self.connection = connection
        self.origin = origin
        self.holding = holding
    }

    static func describe(_ fault: LockFault) -> (target: String, sql: String) {
        switch fault.target {
        case .table(let table, let mode):
            return (table, "LOCK TABLE \(table) IN \(mode.sql) MODE")
        case .rows(let table, let predicate):
            return (table, "SELECT 1 FROM \(table) WHERE \(predicate) FOR UPDATE")
        case .advisory(let key):
            return ("advisory \(key)", "SELECT pg_advisory_xact_lock(\(key))")
        }
    }

    /// Connects the holder; with `after: 0` the lock is taken before this returns,
    /// so it is held when the step's first statement runs.
    static func start(_ fault: LockFault, id: Int, context: StepContext) async throws -> LockFaultRunner {
        let connection = try await Connection.connect(
            context.conninfo, overrides: [("application_name", "rehearse:fault-\(id)")], label: "rehearse-fault")
        context.sessions.register(connection.backendPID, as: .fault(id))
        let origin = context.origin
        let (target, sql) = describe(fault)
        let acquire: @Sendable () async -> Result<Double, PostgresError> = {
            do {
                try await connection.execute("BEGIN")
                let locked = try await connection.execute(sql).last?.affectedRows ?? 0
                // A row lock whose predicate matches no row holds nothing: not applied.
                if case .rows(let table, let predicate) = fault.target, locked == 0 {
                    _ = try? await connection.execute("ROLLBACK")
                    return .failure(PostgresError(kind: .client, message: "no row of \(table) matches `\(predicate)`"))
                }
                return .success(Double(monotonicNanos() - origin) / 1e6)
            } catch {
                return .failure(asPostgres(error))
            }
        }
        var immediate: Result<Double, PostgresError>?
        if fault.after == .zero { immediate = await acquire() }
        let holding = Task<FaultResult, Never> {
            var result = FaultResult(
                kind: "lock", target: target, during: fault.during, applied: false, reason: nil, startedMs: nil,
                endedMs: nil, enforcement: nil, observed: [:])
            let taken: Result<Double, PostgresError>
            if let immediate {
                taken = immediate
            } else {
                do { try await Task.sleep(for: fault.after) } catch {
                    result.reason = "the step ended before `after` (\(fault.after)) elapsed"
                    return result
                }
                taken = await acquire()
            }
            switch taken {
            case .failure(let error):
                result.reason = "could not take the lock: \(error)"
                return result
            case .success(let started):
                result.applied = true
                result.startedMs = started
            }
            // Hold until `hold` passes or the step ends (this task is cancelled), whichever first.
            if fault.idleInTransaction {
                if let hold = fault.hold {
                    try? await Task.sleep(for: hold)
                } else {
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                }
            } else {
                // An active holder: a statement keeps running inside the transaction.
                let seconds = fault.hold.map { $0.milliseconds / 1000 } ?? 86_400
                _ = try? await connection.cancellable { session in
                    try session.execute("SELECT pg_sleep(\(seconds))")
                }
            }
            _ = try? await connection.execute("ROLLBACK")
            result.endedMs = Double(monotonicNanos() - origin) / 1e6
            return result
        }
        return LockFaultRunner(fault: fault, id: id, connection: connection, origin: origin, holding: holding)
    }

    /// Lets go of the lock now (the step it was tied to is over); `finish` still collects the result.
    func release() { holding.cancel() }

    /// Ends the fault (if still holding) and closes the holder session.
    func finish(sessions: SessionDirectory) async -> FaultResult {
        // Cancelling the holder's task cancels its statement on the server, if it runs one.
        holding.cancel()
        let result = await holding.value
        sessions.unregister(connection.backendPID)
        await connection.close()
        return result
    }
}
