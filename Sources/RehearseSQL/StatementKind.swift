import Foundation
/// What kind of statement a piece of SQL is, told from its first words: enough to decide
/// what can run in a pipeline, without parsing SQL.
package enum StatementKind {
    /// The statement's words, upper-cased, without comments (`--` and nested `/* */`),
    /// semicolons or extra spaces. Enough to tell a statement's kind by its first words.
    package static func words(_ sql: String) -> [Substring] {
        var code: [UInt8] = []
        let bytes = Array(sql.utf8)
        var i = 0
        var depth = 0
        while i < bytes.count {
            let c = bytes[i]
            let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
            if depth > 0 {
                if c == UInt8(ascii: "*") && next == UInt8(ascii: "/") {
                    depth -= 1
                    i += 2
                } else if c == UInt8(ascii: "/") && next == UInt8(ascii: "*") {
                    depth += 1
                    i += 2
                } else {
                    i += 1
                }
            } else if c == UInt8(ascii: "/") && next == UInt8(ascii: "*") {
                depth = 1
                i += 2
                code.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "-") && next == UInt8(ascii: "-") {
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            } else {
                code.append(c)
                i += 1
            }
        }
        return String(decoding: code, as: UTF8.self).uppercased().split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == ";"
        })
    }

    package static func isPlainTransactionControl(_ sql: String) -> Bool {
        let w = words(sql)
        guard let first = w.first else { return false }
        switch first {
        case "BEGIN", "COMMIT", "END": return w.count == 1 || (w.count == 2 && (w[1] == "WORK" || w[1] == "TRANSACTION"))
        case "START": return w.count == 2 && w[1] == "TRANSACTION"
        default: return false
        }
    }

    /// Why a transaction cannot be pipelined, or nil. A pipelined transaction runs as
    /// the implicit transaction between two syncs, so only a plain BEGIN first and a
    /// plain COMMIT last (both left out) can mark it; transaction options, savepoints,
    /// a ROLLBACK or a transaction boundary in the middle would need a round trip, and
    /// COPY a data stream.
    package static func pipelineProblem(_ text: String) -> String? {
        let statements = SQLScript.statements(text).filter { !words($0.text).isEmpty }
        for (n, statement) in statements.enumerated() {
            let w = words(statement.text)
            let first = String(w[0])
            var allowed = true
            if isPlainTransactionControl(statement.text) {
                let opens = first == "BEGIN" || first == "START"
                allowed = opens ? n == 0 : n == statements.count - 1
            } else if ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "COPY"]
                .contains(first)
            {
                allowed = false
            } else if (first == "SET" || first == "PREPARE") && w.count > 1 && w[1] == "TRANSACTION" {
                allowed = false
            }
            if !allowed {
                return "with `pipeline` above 1 a transaction runs as the implicit transaction between two syncs; "
                    + "'\(statement.text.trimmingCharacters(in: .whitespacesAndNewlines))' cannot be pipelined "
                    + "(a plain BEGIN first and COMMIT last are fine; use pipeline: 1 for transaction options, "
                    + "savepoints or COPY)"
            }
        }
        return nil
    }
}
