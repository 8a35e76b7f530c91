import Foundation
import PostgresClient

/// The schema of a database as a set of objects, each with its attributes, so two
/// fingerprints compare object by object and a changed object says which attribute
/// changed, from what to what. It covers what `pg_dump --schema-only` would write
/// differently (`CatalogQueries` has the list); names, not oids, identify objects, so
/// an object dropped and created again the same way is the same object.
struct CatalogFingerprint: Sendable, Equatable, Codable {
    struct Attribute: Sendable, Equatable, Codable, Hashable {
        var name: String
        var value: String
    }

    struct Object: Sendable, Equatable, Codable, Hashable {
        /// `table`, `column`, `index`, `constraint`, `view`, `materialized view`, `sequence`, `function`,
        /// `trigger`, `extension`, `enum`, `domain`, `schema`, `policy`, `comment`, `grant`, …
        var kind: String
        /// Qualified name; for columns, constraints, triggers and policies `schema.table.name`.
        var name: String
        /// The table (or domain) a column, index, constraint, trigger, rule or policy
        /// belongs to; a column's `position` is compared with its table's other columns.
        var parent: String? = nil
        /// A column's place among its table's columns (1-based, dropped columns not counted).
        var position: Int? = nil
        /// The attributes the object has, in the order the catalog query lists them.
        var attributes: [Attribute] = []

        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
    }

    /// Keyed by `kind name`.
    var objects: [String: Object]

    static let excludedSchemas = CatalogQueries.excludedSchemas

    static func take(_ session: Session) throws(PostgresError) -> CatalogFingerprint {
        var objects: [String: Object] = [:]
        for query in CatalogQueries.all {
            let result = try session.query(query)
            for row in result.rows {
                let object = Self.object(columns: result.columns, row: row)
                objects["\(object.kind) \(object.name)"] = object
            }
        }
        return CatalogFingerprint(objects: objects)
    }

    private static func object(columns: [String], row: [String?]) -> Object {
        var object = Object(kind: row[0] ?? "?", name: row[1] ?? "?")
        for (column, value) in zip(columns, row).dropFirst(2) {
            guard let value, !value.isEmpty else { continue }
            switch column {
            case "parent": object.parent = value
            case "position": object.position = Int(value)
            default: object.attributes.append(Attribute(name: column, value: value))
            }
        }
        return object
    }
}
