import Foundation

/// Plain: numbered `.sql` files (`001_create.sql`, `2.sql`, `0003-add-index.sql`), no down scripts.
extension MigrationLoader {
    static func plain(_ entries: [MigrationLayout.Entry]) throws(MigrationError) -> [Migration] {
        var migrations: [Migration] = []
        for entry in entries {
            guard case .numbered(let version, let name) = entry.kind else { continue }
            migrations.append(Migration(version: version, name: name, upFile: entry.url, up: try read(entry.url)))
        }
        return migrations
    }
}
