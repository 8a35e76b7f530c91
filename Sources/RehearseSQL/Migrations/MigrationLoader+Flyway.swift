import Foundation

/// Flyway: `V<version>__<description>.sql`, undone by `U<version>__<description>.sql`,
/// and repeatable `R__<description>.sql` applied after them; each in a
/// transaction unless PostgreSQL refuses one of its statements in a transaction.
extension MigrationLoader {
    static func flyway(_ entries: [MigrationLayout.Entry]) throws(MigrationError) -> [Migration] {
        var ups: [(version: String, name: String, url: URL)] = []
        var downs: [(version: String, url: URL)] = []
        var repeatables: [Migration] = []
        for entry in entries {
            switch entry.kind {
            case .flyway(let version, let description, let undo):
                if undo { downs.append((version, entry.url)) } else { ups.append((version, description, entry.url)) }
            case .flywayRepeatable(let description):
                let text = try read(entry.url)
                var migration = Migration(
                    version: "R__\(description)", name: description, upFile: entry.url, up: text,
                    transaction: MigrationTransaction.flyway(text))
                migration.repeatable = true
                repeatables.append(migration)
            default: continue
            }
        }
        return try paired(ups, downs, downKind: "undo migration (U…)", transaction: MigrationTransaction.flyway) + repeatables
    }
}
