import Foundation

/// golang-migrate: `<version>_<name>.up.sql` and `<version>_<name>.down.sql`, each
/// sent as one query with no transaction added, as golang-migrate sends it.
extension MigrationLoader {
    static func golangMigrate(_ entries: [MigrationLayout.Entry]) throws(MigrationError) -> [Migration] {
        var ups: [(version: String, name: String, url: URL)] = []
        var downs: [(version: String, url: URL)] = []
        for entry in entries {
            guard case .golangMigrate(let version, let name, let up) = entry.kind else { continue }
            if up { ups.append((version, name, entry.url)) } else { downs.append((version, entry.url)) }
        }
        return try paired(ups, downs, downKind: "down migration (.down.sql)", transaction: MigrationTransaction.golangMigrate)
    }
}
