package import Foundation
import RehearseSupport

/// Reads a migrations folder in any supported layout into migrations in
/// version order.
package enum MigrationLoader {
    /// The folder's layout and its migrations, ordered by version segment by
    /// segment (1 < 2 < 10, 1.1 < 1.2); a duplicate version is an error naming
    /// both files.
    package static func load(dir: URL) throws(MigrationError) -> (MigrationLayout, [Migration]) {
        let (layout, entries) = try MigrationLayout.scan(dir)
        var migrations: [Migration]
        switch layout {
        case .flyway: migrations = try flyway(entries)
        case .golangMigrate: migrations = try golangMigrate(entries)
        case .dbmate: migrations = try dbmate(entries)
        case .diesel: migrations = try diesel(entries)
        case .plain: migrations = try plain(entries)
        }
        // Flyway applies its repeatable migrations after every versioned one, by description.
        migrations.sort { a, b in
            if a.repeatable != b.repeatable { return b.repeatable }
            return a.key != b.key && !a.repeatable ? a.key < b.key : a.upFile.path < b.upFile.path
        }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.key == later.key && !later.repeatable {
            throw duplicate(later.version, file: later.upFile, other: earlier.upFile, in: dir)
        }
        return (layout, migrations)
    }

    static func read(_ url: URL) throws(MigrationError) -> String {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw MigrationError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MigrationError(file: url.path, message: "not UTF-8 text")
        }
        return text
    }

    static func duplicate(_ version: String, file: URL, other: URL, in dir: URL) -> MigrationError {
        MigrationError(
            file: file.path, message: "duplicate version \(version): \(other.path(inside: dir) ?? other.path) has the same version")
    }

    /// Layouts with a file per direction: pairs each down file with its up file.
    static func paired(
        _ ups: [(version: String, name: String, url: URL)], _ downs: [(version: String, url: URL)], downKind: String,
        transaction rule: (String) -> MigrationTransaction
    ) throws(MigrationError) -> [Migration] {
        var byKey: [MigrationVersion: Migration] = [:]
        let dir = ups.first?.url.deletingLastPathComponent() ?? URL(fileURLWithPath: "/")
        for up in ups {
            let text = try read(up.url)
            let migration = Migration(version: up.version, name: up.name, upFile: up.url, up: text, transaction: rule(text))
            if let other = byKey[migration.key] {
                let (first, second) = other.upFile.path < up.url.path ? (other.upFile, up.url) : (up.url, other.upFile)
                throw duplicate(up.version, file: second, other: first, in: dir)
            }
            byKey[migration.key] = migration
        }
        for down in downs.sorted(by: { $0.url.path < $1.url.path }) {
            guard let key = MigrationVersion(down.version), var migration = byKey[key] else {
                throw MigrationError(file: down.url.path, message: "\(downKind) without a migration of version \(down.version)")
            }
            if let other = migration.downFile {
                throw MigrationError(
                    file: down.url.path,
                    message: "a second \(downKind) for version \(down.version) (\(other.path(inside: dir) ?? other.path) is one too)")
            }
            let text = try read(down.url)
            migration.down = text
            migration.downFile = down.url
            migration.downTransaction = rule(text)
            byKey[key] = migration
        }
        return Array(byKey.values)
    }
}
