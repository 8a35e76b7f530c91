import Foundation

/// How a migration tool sends one migration file (or dbmate section) to the
/// server; rehearse sends it the same way, so that it fails where production
/// would and nowhere else.
package enum MigrationTransaction: Sendable, Equatable {
    /// In one transaction the tool opens (Flyway, dbmate, diesel, plain).
    case wrapped
    /// The whole file as one simple query with no transaction added
    /// (golang-migrate): several statements run as PostgreSQL's implicit
    /// transaction, a lone `CREATE INDEX CONCURRENTLY` runs outside one.
    case singleQuery
    /// Statement by statement, outside any transaction (dbmate
    /// `transaction:false`, diesel `run_in_transaction = false`, morph
    /// `-- morph:nontransactional`, a Flyway script PostgreSQL refuses in one).
    case none
    /// A Flyway script mixing statements PostgreSQL refuses in a transaction
    /// with ones that need one: Flyway refuses it unless `mixed` is allowed,
    /// then runs it statement by statement. `line` is the first refusing statement's.
    case mixed(line: Int)

    /// What Flyway does with a script: a transaction unless a statement refuses one.
    static func flyway(_ script: String) -> MigrationTransaction {
        let statements = SQLScript.statements(script)
        guard let refusing = statements.first(where: { refusesTransactionBlock($0.text) }) else { return .wrapped }
        return statements.allSatisfy { refusesTransactionBlock($0.text) } ? .none : .mixed(line: refusing.line)
    }

    /// golang-migrate's rule, and morph's first-line marker, which Mattermost's files carry.
    static func golangMigrate(_ script: String) -> MigrationTransaction {
        let firstLine = script.prefix { $0 != "\n" && $0 != "\r\n" }.trimmingCharacters(in: .whitespaces)
        return firstLine == "-- morph:nontransactional" ? .none : .singleQuery
    }

    /// This rule as a step's `transaction:` and `mixed:` keys change it.
    package func overridden(by override: TransactionOverride?, mixedAllowed: Bool) -> MigrationTransaction {
        switch (override, self) {
        case (.some(.none), _): .none
        case (.some(.perFile), _): .wrapped
        case (nil, .mixed) where mixedAllowed: .none
        case (nil, _): self
        }
    }

    /// Whether `script`, sent this way, runs inside a transaction: what results record.
    package func isTransactional(_ script: String) -> Bool {
        switch self {
        case .wrapped: return true
        case .none, .mixed: return false
        case .singleQuery:
            let statements = SQLScript.statements(script)
            return !(statements.count == 1 && Self.refusesTransactionBlock(statements[0].text))
        }
    }

    /// Whether PostgreSQL refuses the statement inside a transaction block
    /// (SQLSTATE 25001): `CREATE`/`DROP INDEX CONCURRENTLY`, `REINDEX …
    /// CONCURRENTLY` and of a whole database, `VACUUM`, `CREATE`/`DROP
    /// DATABASE` and `TABLESPACE`, `ALTER SYSTEM`, `DETACH PARTITION …
    /// CONCURRENTLY`, `CLUSTER` of every table.
    package static func refusesTransactionBlock(_ statement: String) -> Bool {
        let words = Self.words(statement, first: 8)
        guard let first = words.first else { return false }
        func starts(_ prefix: String...) -> Bool { words.starts(with: prefix) }
        switch first {
        case "VACUUM": return true
        case "CLUSTER": return words.count == 1
        case "REINDEX": return words.contains("CONCURRENTLY") || words.contains("DATABASE") || words.contains("SYSTEM")
        case "CREATE":
            return starts("CREATE", "INDEX", "CONCURRENTLY") || starts("CREATE", "UNIQUE", "INDEX", "CONCURRENTLY")
                || starts("CREATE", "DATABASE") || starts("CREATE", "TABLESPACE")
        case "DROP":
            return starts("DROP", "INDEX", "CONCURRENTLY") || starts("DROP", "DATABASE") || starts("DROP", "TABLESPACE")
        case "ALTER":
            return starts("ALTER", "SYSTEM")
                || (starts("ALTER", "TABLE") && words.contains("DETACH") && statement.uppercased().hasSuffix("CONCURRENTLY"))
        default: return false
        }
    }

    /// Whether the statement opens or ends a transaction itself.
    package static func controlsTransaction(_ statement: String) -> Bool {
        let first = words(statement, first: 1).first ?? ""
        return ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"].contains(first)
    }

    /// The first words of a statement in upper case, comments left out.
    private static func words(_ statement: String, first count: Int) -> [String] {
        var words: [String] = []
        for line in statement.split(whereSeparator: \.isNewline) {
            let code = line.range(of: "--").map { line[..<$0.lowerBound] } ?? line
            for word in code.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" || $0 == ";" }) {
                words.append(word.uppercased())
                if words.count == count { return words }
            }
        }
        return words
    }
}

/// A step's `transaction:` key: every file of the folder sent one way.
public enum TransactionOverride: String, Sendable, CaseIterable {
    /// Statement by statement, outside any transaction.
    case none
    /// Each file in one transaction.
    case perFile = "per_file"
}
