import CLibPQ
import Glibc

/// What the next result of a pipeline is.
public enum PipelineEvent {
    /// A statement completed; the affected rows of its command tag.
    case completed(rows: Int)
    /// A statement failed; the statements after it up to the next sync are aborted.
    case failed(PostgresError)
    /// A statement was not run because an earlier one since the last sync failed.
    case aborted
    /// A sync point: the implicit transaction since the previous one ended.
    case sync
}

/// libpq's pipeline mode: statements are sent without waiting for the results of
/// earlier ones, and results come back in order. Between two syncs the statements
/// form one implicit transaction (committed at the sync unless one failed).
extension Session {
    public var isPipelining: Bool { PQpipelineStatus(conn) != PQ_PIPELINE_OFF }

    public func enterPipelineMode() throws(PostgresError) {
        guard PQenterPipelineMode(conn) == 1 else { throw clientError(statement: nil) }
    }

    /// Leaves pipeline mode; every result must have been read.
    public func exitPipelineMode() throws(PostgresError) {
        guard PQexitPipelineMode(conn) == 1 else { throw clientError(statement: nil) }
    }

    /// Queues a prepared statement; its result is read later with `nextPipelineEvent`.
    public func sendPrepared(_ handle: PreparedHandle, _ params: ParameterBuffer) throws(PostgresError) {
        let sent = params.withPointers(count: handle.parameterCount) { values in
            PQsendQueryPrepared(conn, handle.name, Int32(handle.parameterCount), values, nil, nil, 0)
        }
        guard sent == 1 else { throw clientError(statement: statements[handle.index].sql) }
    }

    /// Marks a sync point and sends everything queued so far.
    public func pipelineSync() throws(PostgresError) {
        guard PQpipelineSync(conn) == 1 else { throw clientError(statement: nil) }
    }

    /// Whether the next pipeline result can be read without waiting for the server.
    public func resultReady() throws(PostgresError) -> Bool {
        guard PQconsumeInput(conn) == 1 else { throw clientError(statement: nil) }
        return PQisBusy(conn) == 0
    }

    /// Waits until the server has sent something or `nanoseconds` have passed.
    /// (ppoll, not poll: an open-model lane waits for a transaction due in microseconds,
    /// and poll's whole milliseconds would send it late.)
    public func waitForInput(nanoseconds: UInt64) {
        _ = rehearse_wait_readable(PQsocket(conn), nanoseconds)
    }

    /// Reads the next result of the pipeline, waiting for it if needed.
    public func nextPipelineEvent() throws(PostgresError) -> PipelineEvent {
        guard let result = PQgetResult(conn) else {
            throw isBroken ? clientError(statement: nil) : PostgresError(kind: .client, message: "no pipeline result pending")
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        if status == PGRES_PIPELINE_SYNC { return .sync }
        // Every statement's result is followed by a NULL that ends it; anything else (a
        // COPY, a second result) would put the reading out of step with the syncs.
        if let unexpected = PQgetResult(conn) {
            PQclear(unexpected)
            throw PostgresError(kind: .client, message: "a pipelined statement returned more than one result")
        }
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return .completed(rows: Self.affectedRows(result))
        case PGRES_PIPELINE_ABORTED:
            return .aborted
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            return .failed(Self.serverError(result, statement: nil))
        default:
            throw PostgresError(
                kind: .client, message: "a pipelined statement returned \(String(cString: PQresStatus(status)))")
        }
    }
}
