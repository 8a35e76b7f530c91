import Foundation

/// An error from PostgreSQL or from libpq, with the fields a user can act on.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The server raised an error; `sqlstate` says which.
        case server
        /// Connecting failed (bad address, refused, authentication).
        case connection
        /// The connection broke or libpq failed outside a server error.
        case client
        /// The session was already closed.
        case closed
    }

    public var kind: Kind
    public var sqlstate: String?
    public var severity: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// 1-based character position in the statement, when the server gives one.
    public var position: Int?
    /// The statement that failed, when known.
    public var statement: String?
    /// The server's source function that raised the error (`RevalidateCachedQuery`):
    /// never translated, unlike `message`, so it tells apart errors that share a SQLSTATE.
    public var routine: String?

    public init(
        kind: Kind, sqlstate: String? = nil, severity: String? = nil, message: String,
        detail: String? = nil, hint: String? = nil, position: Int? = nil, statement: String? = nil,
        routine: String? = nil
    ) {
        self.kind = kind
        self.sqlstate = sqlstate
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
        self.statement = statement
        self.routine = routine
    }

    static let closed = PostgresError(kind: .closed, message: "the connection is closed")

    public var description: String {
        var text = sqlstate.map { "\($0): \(message)" } ?? message
        if let detail { text += " (\(detail))" }
        if let hint { text += " hint: \(hint)" }
        return text
    }

    public var isLockOrTimeout: Bool {
        ["55P03", "57014", "40P01", "40001"].contains(sqlstate ?? "")
    }
}
