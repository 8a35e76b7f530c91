import Foundation
import RehearseScenario

/// One table a `synthesize` step fills: the target's catalog joined with the profile.
struct SynthesisTable: Sendable {
    var schema: String
    var name: String
    /// Rows to generate: the profile's count times the scale.
    var rows: Int
    var columns: [SynthesisColumn]
    /// The primary key and unique constraints, as column names.
    var keys: [[String]]
    var foreignKeys: [ForeignKeyProfile]
    /// Check constraint expressions (`pg_get_expr`): rows that break one are left out and generated again.
    var checks: [String]
    /// Mixed into every hash of this table's rows: the step's seed and the table's name.
    var salt: UInt64

    var qualifiedName: String { "\(schema).\(name)" }
    var sqlName: String { "\(SQLText.identifier(schema)).\(SQLText.identifier(name))" }

    func column(_ name: String) -> SynthesisColumn? { columns.first { $0.name == name } }
}

/// Quoting for SQL text the synthesizer writes.
enum SQLText {
    static func identifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    static func literal(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
    /// A finite double as SQL reads it back exactly.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

/// FNV-1a: salts that are the same on every machine and every run (Swift's `Hasher` is seeded per process).
enum StableHash {
    static func of(_ parts: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
