import Foundation

/// dbmate: `<version>_<name>.sql` with `-- migrate:up` and `-- migrate:down` sections.
extension MigrationLoader {
    static func dbmate(_ entries: [MigrationLayout.Entry]) throws(MigrationError) -> [Migration] {
        var migrations: [Migration] = []
        for entry in entries {
            guard case .numbered(let version, let name) = entry.kind else { continue }
            let sections = try DbmateSections.parse(try read(entry.url), file: entry.url.path)
            migrations.append(
                Migration(
                    version: version, name: name, upFile: entry.url, up: sections.up, down: sections.down,
                    downFile: sections.down == nil ? nil : entry.url, transaction: sections.transactional ? .wrapped : .none,
                    downTransaction: sections.downTransactional ? .wrapped : .none))
        }
        return migrations
    }
}
