import PostgresClient
import RehearseSQL
import RehearseSupport

/// A lane's pgbench client: its variables (kept from one script run to the next, as a
/// pgbench client keeps them) and each script's SQL commands as prepared on this lane's
/// session. Prepared on first use, as `pgbench -M prepared` prepares them, so that a
/// script may create what its later commands use. A value the lane's loop owns (no class:
/// no exclusivity checks on the hot path), used only on the lane's own thread.
struct PgBenchLane {
    /// The seed of `hash()` (`:default_seed`), the same for every client as under pgbench,
    /// and fixed so that a rehearsal hashes as the one before it did.
    static let defaultSeed: Int64 = 0x5EED_2E4E_A25E_0F00

    private var client: PgBenchClient
    private let variables: PgBenchVariables
    private var handles: [[PreparedHandle?]]
    private let params = ParameterBuffer(capacity: 16)

    /// nil when the workload has no pgbench transaction.
    init?(plan: WorkloadPlan, clientID: Int, seed: UInt64) {
        guard plan.transactions.contains(where: { $0.script != nil }) else { return nil }
        variables = plan.pgbenchVariables
        client = PgBenchClient(
            variables: variables, clientID: clientID, scale: 1, seed: Self.defaultSeed, randomSeed: seed ^ 0x7067_6265_6E63_6800)
        handles = plan.transactions.map { Array(repeating: nil, count: $0.script?.sql.count ?? 0) }
    }

    /// Why a script run stopped short.
    private enum Stop: Error {
        case sql(PostgresError)
        case script(PgBenchScriptError)
    }

    /// Runs the script once, as one measured transaction from `due` to its end. A SQL
    /// error fails the transaction (counted, the lane goes on, as for `sql` transactions);
    /// an error of the script itself (an undefined variable, a division by zero, a `\gset`
    /// without its one row) ends the lane, as it aborts a pgbench client.
    mutating func run(
        _ tx: Int, _ script: PgBenchScript, scale: Int64, due: UInt64, sent: UInt64, session: Session,
        stop: StopSignal, into result: inout LaneResult
    ) throws(PostgresError) {
        client.variables[PgBenchVariables.scale] = .int(scale)
        client.start()
        var rows = 0
        var failure: PostgresError?
        var scriptError: PgBenchScriptError?
        do throws(Stop) {
            run: while true {
                let step: PgBenchClient.Step
                do { step = try client.step(script) } catch { throw .script(error) }
                switch step {
                case .end: break run
                case .sleep(let micros):
                    if !Self.sleep(microseconds: micros, stop: stop) {
                        throw .sql(PostgresError(kind: .client, sqlstate: "57014", message: "cancelled during \\sleep"))
                    }
                case .sql(let index):
                    rows += try execute(tx, index, script, session: session)
                }
            }
            if session.transactionState != .idle {
                // pgbench aborts a client whose script ends inside a transaction block.
                throw .script(
                    PgBenchScriptError(
                        file: script.file, line: script.sql.last?.line ?? 1, column: 1,
                        message: "the script ended inside a transaction block"))
            }
        } catch {
            switch error {
            case .sql(let e): failure = e
            case .script(let e):
                scriptError = e
                failure = PostgresError(kind: .client, message: e.description)
            }
        }
        if let error = failure {
            if session.transactionState != .idle { _ = try? session.execute("ROLLBACK") }
            if error.invalidatesCachedPlan {
                // A schema change under the script's prepared plans, inside a transaction
                // block: this run failed (an application's would), the next prepares anew.
                let prepared = handles[tx].compactMap { $0 }
                for handle in prepared { _ = try? session.reprepare(handle) }
            }
            if session.isBroken || scriptError != nil {
                let cause = session.isBroken && error.sqlstate == nil ? session.idleFatal ?? error : error
                result.record(tx: tx, due: due, sent: sent, end: monotonicNanos(), rows: 0, error: cause)
                result.endingErrorRecorded = true
                throw cause
            }
        }
        result.record(tx: tx, due: due, sent: sent, end: monotonicNanos(), rows: failure == nil ? rows : 0, error: failure)
    }

    /// One SQL command: prepared on first use, its `:variables` bound as text parameters.
    private mutating func execute(_ tx: Int, _ index: Int, _ script: PgBenchScript, session: Session) throws(Stop) -> Int {
        do {
            let handle: PreparedHandle
            if let prepared = handles[tx][index] {
                handle = prepared
            } else {
                handle = try session.prepare(
                    Self.name(tx, index), script.sql[index].text, parameterCount: script.sql[index].parameters.count)
                handles[tx][index] = handle
            }
            params.removeAll()
            // The command's fields are read in place, never copied out of the script (a copy
            // costs a retain and a release for each of its strings and arrays).
            for k in 0..<script.sql[index].parameters.count {
                switch client.variables[script.sql[index].parameters[k]] {
                case .int(let v)?: params.append(v)
                case let value?:
                    if let text = value.parameterText { params.append(text) } else { params.appendNull() }
                case nil:
                    do { _ = try client.parameter(k, of: script.sql[index], in: script) } catch { throw Stop.script(error) }
                }
            }
            // A schema change invalidated the plan of a command outside a transaction block:
            // prepared again and retried once, as drivers (pgx, JDBC) do.
            func retried<T>(_ run: () throws(PostgresError) -> T) throws(PostgresError) -> T {
                do {
                    return try run()
                } catch {
                    guard error.invalidatesCachedPlan && session.transactionState == .idle else { throw error }
                    try session.reprepare(handle)
                    return try run()
                }
            }
            if script.sql[index].gset == nil {
                return try retried { () throws(PostgresError) in try session.executePrepared(handle, params) }
            }
            let command = script.sql[index]
            let name = Self.name(tx, index)
            let rows = try retried { () throws(PostgresError) in try session.queryPrepared(name, params) }
            do {
                try client.store(columns: rows.columns, rows: rows.rows, of: command, in: script, names: variables)
            } catch { throw Stop.script(error) }
            return rows.rows.count
        } catch let error as Stop {
            throw error
        } catch let error as PostgresError {
            throw .sql(error)
        } catch {
            throw .sql(PostgresError(kind: .client, message: "\(error)"))
        }
    }

    /// The name a script's command is prepared under on a session.
    private static func name(_ tx: Int, _ index: Int) -> String { "rh_\(tx)_pgb_\(index)" }

    /// `\sleep`, in slices so that an abandoned step does not wait for it. False when abandoned.
    private static func sleep(microseconds: Int64, stop: StopSignal) -> Bool {
        guard microseconds > 0 else { return true }
        let (nanos, overflow) = UInt64(microseconds).multipliedReportingOverflow(by: 1000)
        let until = overflow ? UInt64.max : monotonicNanos() &+ nanos
        while monotonicNanos() < until {
            if stop.isAbandoned { return false }
            sleepUntil(nanos: min(until, monotonicNanos() + 50_000_000))
        }
        return true
    }
}
