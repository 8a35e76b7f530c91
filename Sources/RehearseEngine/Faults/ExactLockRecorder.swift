import Foundation
import PostgresClient
import RehearseResults
import RehearseSQL
import RehearseSupport

/// The exact locks of the statements rehearse itself executes (`sql`,
/// `migrate`, `backfill`): read from the step's own transaction after each
/// statement and before it commits, so a lock held for 3 ms is seen, and
/// attributed to the file and line of the statement that took it.
///
/// Lives on one session's thread for one step; not shared.
final class ExactLockRecorder {
    struct Key: Hashable {
        var relation: String
        var kind: String
        var mode: String
    }

    /// The locks the open transaction holds: when the statement that took each began, and where it is.
    private var open: [Key: (since: UInt64, statement: String)] = [:]
    /// Per lock, its longest hold so far and the statement that took it.
    private var longest: [Key: (nanos: UInt64, statement: String)] = [:]
    /// Time spent reading locks, which callers leave out of the latencies they record.
    private(set) var overheadNanos: UInt64 = 0

    /// The transaction's own granted locks, as `LockObserver` names them, with
    /// their kind; catalogs and rehearse's own schema left out.
    static let query = """
        SELECT CASE l.locktype WHEN 'relation' THEN 'relation' WHEN 'tuple' THEN 'row' WHEN 'advisory' THEN 'advisory'
                    ELSE 'object' END,
               CASE l.locktype WHEN 'advisory' THEN 'advisory ' || l.objid
                    WHEN 'object' THEN coalesce(pg_describe_object(l.classid, l.objid, l.objsubid), 'object ' || l.objid)
                    ELSE coalesce(c.relname, 'relation ' || l.relation) END,
               l.mode
        FROM pg_locks l
        LEFT JOIN pg_class c ON c.oid = l.relation
        WHERE l.pid = pg_backend_pid() AND l.granted
          AND l.locktype IN ('relation', 'tuple', 'advisory', 'object')
          AND (l.relation IS NULL OR c.oid IS NULL
               OR c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'pg_toast'::regnamespace, 'information_schema'::regnamespace)
                  AND c.relnamespace::regnamespace::text <> '_rehearse')
          AND NOT (l.locktype = 'object' AND l.classid = 'pg_namespace'::regclass
                   AND l.objid IS NOT DISTINCT FROM to_regnamespace('_rehearse')::oid)
        """

    /// Notes the locks held after a statement that began at `startedAt`; those
    /// not held before it are its own.
    func afterStatement(_ statement: String, startedAt: UInt64, session: Session) throws(PostgresError) {
        let readStart = monotonicNanos()
        defer { overheadNanos += monotonicNanos() - readStart }
        try session.prepare("rehearse_exact_locks", Self.query)
        let rows = try session.queryPrepared("rehearse_exact_locks", ParameterBuffer(capacity: 1)).rows
        for row in rows {
            let key = Key(relation: row[1] ?? "?", kind: row[0] ?? "object", mode: row[2] ?? "?")
            if open[key] == nil { open[key] = (startedAt, statement) }
        }
    }

    /// The transaction ended (committed or rolled back) at `endedAt`: its locks are released.
    func transactionEnded(at endedAt: UInt64 = monotonicNanos()) {
        for (key, taken) in open {
            let held = endedAt &- taken.since
            if held >= longest[key]?.nanos ?? 0 { longest[key] = (held, taken.statement) }
        }
        open.removeAll()
    }

    /// Runs statements one by one in the transaction that is open, reading the
    /// locks after each; `file` and the statements' lines name where each came
    /// from (`lineOffset` lines before the text). A server error's position is
    /// made relative to the text the statements came from. Returns the rows affected.
    @discardableResult
    func run(
        _ statements: [SQLScript.Statement], file: String, lineOffset: Int = 0, session: Session
    ) throws(PostgresError) -> Int {
        var rows = 0
        var inserts = Set<Substring>()
        for statement in statements {
            let start = monotonicNanos()
            do {
                rows += try session.execute(statement.text).reduce(0) { $0 + $1.affectedRows }
            } catch {
                throw Self.placed(error, statement)
            }
            // A second `INSERT INTO t (…) VALUES` into the same table and columns takes the
            // locks the first took: pg_dump --inserts scripts skip a lock read per row.
            if let target = Self.insertTarget(statement.text), !inserts.insert(target).inserted { continue }
            try afterStatement("\(file):\(lineOffset + statement.line)", startedAt: start, session: session)
        }
        return rows
    }

    /// `INSERT INTO t (…)` of an `INSERT … VALUES` statement, nil for any other.
    static func insertTarget(_ statement: String) -> Substring? {
        guard statement.prefix(6).uppercased() == "INSERT",
            let values = statement.range(of: " VALUES", options: .caseInsensitive)
        else { return nil }
        let target = statement[..<values.lowerBound]
        // A subquery or a function call in the target list could lock something else.
        return target.contains("SELECT") || target.contains("select") ? nil : target
    }

    /// Every lock seen, its longest hold, `exact`.
    var locks: [LockTaken] {
        longest.map { key, value in
            LockTaken(
                relation: key.relation, kind: key.kind, mode: key.mode, heldMs: Double(value.nanos) / 1e6, exact: true,
                statement: value.statement)
        }.sorted { ($0.relation, $0.mode) < ($1.relation, $1.mode) }
    }

    /// Whether statements sent as one query may run one by one inside one
    /// transaction instead, with the same outcome: none of them refuses a
    /// transaction block, opens, ends or marks one itself, or may commit from a
    /// procedure (`CALL`, a `DO` block that commits), which a lone statement may
    /// and a statement in an explicit transaction may not.
    static func canRunOneByOne(_ statements: [SQLScript.Statement]) -> Bool {
        !statements.contains { statement in
            let text = statement.text
            let head = text.prefix(10).uppercased()
            return MigrationTransaction.refusesTransactionBlock(text) || MigrationTransaction.controlsTransaction(text)
                || head.hasPrefix("CALL") || head.hasPrefix("SAVEPOINT") || head.hasPrefix("RELEASE")
                || (head.hasPrefix("DO") && (text.uppercased().contains("COMMIT") || text.uppercased().contains("ROLLBACK")))
        }
    }

    /// The error as if the statement had been sent where it stands in its text,
    /// so that its line and column point into the file.
    private static func placed(_ error: PostgresError, _ statement: SQLScript.Statement) -> PostgresError {
        guard let position = error.position else { return error }
        var placed = error
        let padding = String(repeating: "\n", count: statement.line - 1) + String(repeating: " ", count: statement.column - 1)
        placed.statement = padding + statement.text
        placed.position = position + padding.count
        return placed
    }
}
