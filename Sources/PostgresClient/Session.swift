import CLibPQ
import Foundation

/// A libpq connection used synchronously on its own thread.
///
/// `Session` is deliberately not `Sendable`: it is only ever touched by the
/// thread that owns it (`Connection`). Hot loops (a workload's transactions) run
/// inside `Connection.withSession` so that no hop between threads sits between
/// two transactions.
public final class Session {
    let conn: OpaquePointer
    private let noticeBox: NoticeBox
    /// Prepared statements of this session; a `PreparedHandle` is an index here.
    private(set) var statements: [PreparedStatement] = []
    private var prepared: [String: Int] = [:]

    init(conninfo: String, overrides: [(String, String)] = []) throws(PostgresError) {
        // The first `dbname` is expanded as a connection string or URL; later keywords override it.
        let keywords = ["dbname"] + overrides.map(\.0)
        let values = [conninfo] + overrides.map(\.1)
        let connection = ParameterBuffer.withCStrings(keywords) { k in
            ParameterBuffer.withCStrings(values) { v in
                PQconnectdbParams(k, v, 1)
            }
        }
        guard let conn = connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(conn))
            PQfinish(conn)
            throw PostgresError(kind: .connection, sqlstate: "08006", message: message)
        }
        self.conn = conn
        self.noticeBox = NoticeBox()
        let context = Unmanaged.passUnretained(noticeBox).toOpaque()
        PQsetNoticeReceiver(
            conn,
            { context, result in
                guard let context, let result else { return }
                let box = Unmanaged<NoticeBox>.fromOpaque(context).takeUnretainedValue()
                if let text = PQresultErrorMessage(result) { box.append(Session.trimmed(text)) }
                // An error the server sent while the session was idle (57P01 from
                // pg_terminate_backend) comes as a notice; it is why the session is gone.
                if let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))), String(cString: severity) == "FATAL" {
                    box.fatal = Session.serverError(result, statement: nil)
                }
            }, context)
    }

    deinit { PQfinish(conn) }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Facts

    public var serverVersion: Int { Int(PQserverVersion(conn)) }
    public var backendPID: Int32 { PQbackendPID(conn) }
    public var isBroken: Bool { PQstatus(conn) != CONNECTION_OK }

    public enum TransactionState: Sendable { case idle, active, inTransaction, inError, unknown }

    public var transactionState: TransactionState {
        switch PQtransactionStatus(conn) {
        case PQTRANS_IDLE: .idle
        case PQTRANS_ACTIVE: .active
        case PQTRANS_INTRANS: .inTransaction
        case PQTRANS_INERROR: .inError
        default: .unknown
        }
    }

    /// Notices (warnings, `RAISE NOTICE`) received since the last call.
    public func takeNotices() -> [String] { noticeBox.take() }

    /// Reads what the server sent while the session was idle, without waiting: a FATAL
    /// error then is kept for `idleFatal` (libpq loses it when the next statement is sent
    /// to a closed connection, and says only "server closed the connection unexpectedly").
    public func readWhileIdle() { _ = PQconsumeInput(conn) }

    /// The FATAL error the server sent while the session was idle, if it sent one.
    public var idleFatal: PostgresError? { noticeBox.fatal }

    func makeCanceller() -> OpaquePointer? { PQgetCancel(conn) }

    // MARK: - Simple protocol

    /// Runs a script of one or more statements (simple query protocol) and
    /// returns one result per statement. The first server error is thrown after
    /// the remaining results are drained, so the session stays usable.
    @discardableResult
    public func execute(_ sql: String) throws(PostgresError) -> [QueryResult] {
        guard PQsendQuery(conn, sql) == 1 else { throw clientError(statement: sql) }
        var results: [QueryResult] = []
        var firstError: PostgresError?
        while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                results.append(Self.materialize(result))
            case PGRES_COPY_IN:
                // A script that reads from stdin gets no data here: end the COPY with an error.
                PQputCopyEnd(conn, "COPY FROM STDIN needs data; use a pg_dump-style data block")
            case PGRES_COPY_OUT:
                Self.drainCopyOut(conn)
            default:
                if firstError == nil { firstError = Self.serverError(result, statement: sql) }
            }
        }
        if let firstError { throw firstError }
        if isBroken { throw clientError(statement: sql) }
        return results
    }

    // MARK: - Extended protocol

    /// Runs one statement with text parameters (`$1`, `$2`, …).
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) throws(PostgresError) -> QueryResult {
        let result = ParameterBuffer.withCStrings(params) { values in
            PQexecParams(conn, sql, Int32(params.count), nil, values, nil, nil, 0)
        }
        return try consume(result, statement: sql)
    }

    /// Prepares `sql` under `name` once per session; later calls are no-ops.
    /// `textParameters` lists parameter numbers whose type is fixed to `text`
    /// because the statement does not use them (PostgreSQL cannot infer them).
    @discardableResult
    public func prepare(
        _ name: String, _ sql: String, parameterCount: Int = 0, textParameters: Set<Int> = []
    )
        throws(PostgresError) -> PreparedHandle
    {
        if let index = prepared[name] { return statements[index].handle(index) }
        var types = [Oid](repeating: 0, count: parameterCount)
        for n in textParameters where n >= 1 && n <= parameterCount { types[n - 1] = 25 }
        let result = PQprepare(conn, name, sql, Int32(parameterCount), parameterCount > 0 ? types : nil)
        _ = try consume(result, statement: sql)
        let statement = PreparedStatement(name: name, sql: sql, parameterCount: parameterCount, types: types)
        statements.append(statement)
        prepared[name] = statements.count - 1
        return statement.handle(statements.count - 1)
    }

    /// The handle of a statement prepared earlier under `name`.
    public func handle(_ name: String) -> PreparedHandle? { prepared[name].map { statements[$0].handle($0) } }

    /// Prepares again the statement behind `handle` (after a schema change invalidated its
    /// plan's result type, 0A000). The handle stays valid.
    public func reprepare(_ handle: PreparedHandle) throws(PostgresError) {
        let statement = statements[handle.index]
        _ = try? execute("DEALLOCATE \"\(String(cString: statement.name))\"")
        let result = PQprepare(
            conn, statement.name, statement.sql, Int32(statement.parameterCount),
            statement.parameterCount > 0 ? statement.types : nil)
        _ = try consume(result, statement: statement.sql)
    }

    /// Executes a prepared statement and discards its rows: the hot path of a
    /// workload. Returns the affected row count of the command tag.
    @discardableResult
    public func executePrepared(_ name: String, _ params: ParameterBuffer) throws(PostgresError) -> Int {
        try executePrepared(try lookup(name), params)
    }

    /// Executes a prepared statement by handle (no lookup by name) and discards its rows.
    @discardableResult
    public func executePrepared(_ handle: PreparedHandle, _ params: ParameterBuffer) throws(PostgresError) -> Int {
        let result = params.withPointers(count: handle.parameterCount) { values in
            PQexecPrepared(conn, handle.name, Int32(handle.parameterCount), values, nil, nil, 0)
        }
        guard let result else { throw clientError(statement: statements[handle.index].sql) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.affectedRows(result)
        default:
            throw Self.serverError(result, statement: statements[handle.index].sql)
        }
    }

    /// Executes a prepared statement and returns its rows.
    public func queryPrepared(_ name: String, _ params: ParameterBuffer) throws(PostgresError) -> QueryResult {
        let handle = try lookup(name)
        let result = params.withPointers(count: handle.parameterCount) { values in
            PQexecPrepared(conn, handle.name, Int32(handle.parameterCount), values, nil, nil, 0)
        }
        return try consume(result, statement: statements[handle.index].sql)
    }

    private func lookup(_ name: String) throws(PostgresError) -> PreparedHandle {
        guard let handle = handle(name) else {
            throw PostgresError(kind: .client, message: "statement \(name) was not prepared")
        }
        return handle
    }

    // MARK: - Helpers

    private func consume(_ result: OpaquePointer?, statement: String) throws(PostgresError) -> QueryResult {
        guard let result else { throw clientError(statement: statement) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.materialize(result)
        default:
            throw Self.serverError(result, statement: statement)
        }
    }

    func clientError(statement: String?) -> PostgresError {
        PostgresError(
            kind: .client, sqlstate: isBroken ? "08006" : nil,
            message: Self.trimmed(PQerrorMessage(conn)).isEmpty
                ? "libpq failed" : Self.trimmed(PQerrorMessage(conn)),
            statement: statement)
    }

    static func serverError(_ result: OpaquePointer, statement: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let message = field(Int32(UInt8(ascii: "M"))) ?? trimmed(PQresultErrorMessage(result))
        return PostgresError(
            kind: field(Int32(UInt8(ascii: "C"))) == nil ? .client : .server,
            sqlstate: field(Int32(UInt8(ascii: "C"))),
            severity: field(Int32(UInt8(ascii: "V"))),
            message: message.isEmpty ? "unknown error" : message,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))),
            position: field(Int32(UInt8(ascii: "P"))).flatMap { Int($0) },
            statement: statement, routine: field(Int32(UInt8(ascii: "R"))))
    }

    static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let tuples = PQcmdTuples(result), tuples.pointee != 0 else { return Int(PQntuples(result)) }
        var value = 0
        var p = tuples
        while p.pointee >= 48 && p.pointee <= 57 {
            value = value * 10 + Int(p.pointee - 48)
            p += 1
        }
        return value
    }

    static func materialize(_ result: OpaquePointer) -> QueryResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for c in 0..<columnCount { columns.append(String(cString: PQfname(result, Int32(c)))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            var row: [String?] = []
            row.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    row.append(nil)
                } else {
                    row.append(String(cString: PQgetvalue(result, Int32(r), Int32(c))))
                }
            }
            rows.append(row)
        }
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        return QueryResult(columns: columns, rows: rows, commandTag: tag, affectedRows: affectedRows(result))
    }

    static func drainCopyOut(_ conn: OpaquePointer) {
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(conn, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
    }
}

/// A prepared statement of a session. Its name lives in memory of its own, freed
/// when the session ends, so a handle can point at it.
final class PreparedStatement {
    let name: UnsafeMutablePointer<CChar>
    let sql: String
    let parameterCount: Int
    let types: [Oid]

    init(name: String, sql: String, parameterCount: Int, types: [Oid]) {
        self.name = strdup(name)
        self.sql = sql
        self.parameterCount = parameterCount
        self.types = types
    }

    deinit { free(name) }

    func handle(_ index: Int) -> PreparedHandle {
        PreparedHandle(index: index, name: name, parameterCount: parameterCount)
    }
}

/// A statement prepared on one session, valid while that session lives. It
/// carries what libpq needs, so executing it neither hashes a statement name nor
/// reads the session's table.
public struct PreparedHandle: Hashable {
    let index: Int
    let name: UnsafePointer<CChar>
    let parameterCount: Int

    init(index: Int, name: UnsafeMutablePointer<CChar>, parameterCount: Int) {
        self.index = index
        self.name = UnsafePointer(name)
        self.parameterCount = parameterCount
    }
}

/// Collects notices from libpq's callback (called on the session thread).
final class NoticeBox {
    private var notices: [String] = []
    /// The last FATAL error the server sent outside a statement.
    var fatal: PostgresError?
    func append(_ notice: String) {
        if notices.count < 1000 { notices.append(notice) }
    }
    func take() -> [String] {
        defer { notices.removeAll() }
        return notices
    }
}

extension Session {
    /// Opens a session on the calling thread. Only for code that is already off
    /// Swift's cooperative pool (signal handling, dedicated threads).
    public static func open(conninfo: String) throws(PostgresError) -> Session {
        try Session(conninfo: conninfo)
    }
}
