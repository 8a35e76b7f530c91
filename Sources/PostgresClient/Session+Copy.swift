import CLibPQ

/// Sends COPY data to the server in pieces, so that a file never has to be in memory whole.
public struct CopyWriter: ~Copyable {
    let conn: OpaquePointer

    /// Sends `bytes` in CopyData messages of at most 64 KiB: the server reads a whole
    /// message before it parses any of it, so smaller messages let it start sooner.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
        let piece = 1 << 16
        var offset = 0
        while offset < bytes.count {
            let length = min(piece, bytes.count - offset)
            guard PQputCopyData(conn, base + offset, Int32(length)) == 1 else {
                throw PostgresError(kind: .client, message: Session.trimmed(PQerrorMessage(conn)))
            }
            offset += length
        }
    }

    public func write(_ bytes: [UInt8]) throws(PostgresError) {
        let failure: PostgresError? = bytes.withUnsafeBytes { raw in
            do throws(PostgresError) {
                try write(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}

extension Session {
    /// Runs `COPY … FROM STDIN` and streams the data that `produce` writes.
    /// If `produce` throws, the COPY is aborted (nothing is loaded) and the error rethrown.
    @discardableResult
    public func copyIn(_ sql: String, _ produce: (borrowing CopyWriter) throws -> Void) throws -> QueryResult {
        guard let start = PQexec(conn, sql) else { throw clientError(statement: sql) }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw Session.serverError(start, statement: sql)
        }
        PQclear(start)
        let writer = CopyWriter(conn: conn)
        do {
            try produce(writer)
        } catch {
            PQputCopyEnd(conn, "aborted by rehearse: \(error)")
            while let result = PQgetResult(conn) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(conn, nil) == 1 else { throw clientError(statement: sql) }
        var outcome: Result<QueryResult, PostgresError> = .success(QueryResult())
        while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK:
                if case .success = outcome { outcome = .success(Session.materialize(result)) }
            default:
                if case .success = outcome { outcome = .failure(Session.serverError(result, statement: sql)) }
            }
        }
        return try outcome.get()
    }
}

extension Session {
    /// Starts `COPY … FROM STDIN`, sends `data` and ends the copy without waiting for the
    /// server to finish loading it, so the caller can prepare the next chunk meanwhile.
    /// Call `finishCopy()` before the next statement on this session.
    public func sendCopy(_ sql: String, data: [UInt8]) throws(PostgresError) {
        guard let start = PQexec(conn, sql) else { throw clientError(statement: sql) }
        if PQresultStatus(start) != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw Session.serverError(start, statement: sql)
        }
        PQclear(start)
        try CopyWriter(conn: conn).write(data)
        guard PQputCopyEnd(conn, nil) == 1 else { throw clientError(statement: sql) }
    }

    /// Whether the result of a sent copy has arrived (reads what the socket has, never blocks).
    public func copyFinished() -> Bool {
        PQconsumeInput(conn)
        return PQisBusy(conn) == 0
    }

    /// Waits for the result of `sendCopy`.
    @discardableResult
    public func finishCopy(statement: String) throws(PostgresError) -> QueryResult {
        var outcome: Result<QueryResult, PostgresError> = .success(QueryResult())
        while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                if case .success = outcome { outcome = .success(Session.materialize(result)) }
            } else if case .success = outcome {
                outcome = .failure(Session.serverError(result, statement: statement))
            }
        }
        return try outcome.get()
    }
}
