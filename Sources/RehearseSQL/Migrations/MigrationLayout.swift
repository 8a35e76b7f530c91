import Foundation

/// The migration folder layouts rehearse recognises.
package enum MigrationLayout: String, Sendable, CaseIterable {
    /// `V<version>__<description>.sql`, undo scripts `U<version>__<description>.sql`.
    case flyway
    /// `<version>_<name>.up.sql` and `<version>_<name>.down.sql`.
    case golangMigrate = "golang-migrate"
    /// `<version>_<name>.sql` with `-- migrate:up` and `-- migrate:down` sections.
    case dbmate
    /// Folders `<version>_<name>/` holding `up.sql`, `down.sql`, maybe `metadata.toml`.
    case diesel
    /// Numbered `.sql` files without down scripts.
    case plain

    /// One entry of a migrations folder, classified by name.
    struct Entry: Sendable {
        var url: URL
        var kind: MigrationFileName
        /// `kind`'s layout, by name alone: only names that belong to one become entries.
        var layout: MigrationLayout
        var name: String { url.lastPathComponent }
    }

    /// The layout and the folder's migration entries (hidden files and
    /// documentation left out), sorted by name; an empty folder, an unrecognised
    /// entry or entries of more than one layout are errors naming the entry.
    static func scan(_ dir: URL) throws(MigrationError) -> (layout: MigrationLayout, entries: [Entry]) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MigrationError(file: dir.path, message: "the migrations folder does not exist")
        }
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: dir.path).sorted() } catch {
            throw MigrationError(file: dir.path, message: "cannot list the migrations folder: \(error.localizedDescription)")
        }
        var entries: [Entry] = []
        for name in names {
            let url = dir.appendingPathComponent(name)
            var entryIsDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: url.path, isDirectory: &entryIsDirectory)
            let kind = MigrationFileName(name, isDirectory: entryIsDirectory.boolValue)
            if kind == .ignored { continue }
            guard let layout = kind.layout else {
                throw MigrationError(
                    file: url.path,
                    message: entryIsDirectory.boolValue
                        ? "not a migration folder: diesel folders are named <version>_<name>"
                        : "not a migration file name; rehearse recognises Flyway V<version>__<description>.sql, "
                            + "golang-migrate <version>_<name>.up.sql/.down.sql, dbmate and plain <version>_<name>.sql, "
                            + "and diesel <version>_<name>/ folders")
            }
            entries.append(Entry(url: url, kind: kind, layout: layout))
        }
        guard let first = entries.first else {
            throw MigrationError(file: dir.path, message: "the migrations folder holds no migrations")
        }
        let layout = first.layout
        if let other = entries.first(where: { $0.layout != layout }) {
            throw MigrationError(
                file: other.url.path,
                message: "mixed layouts: \(other.name) is \(other.layout.title) but \(first.name) is "
                    + "\(layout.title); a migrations folder holds one layout")
        }
        guard layout == .plain else { return (layout, entries) }
        // Numbered files are dbmate's when they carry its section markers; then all must.
        var marked: [Entry] = []
        var unmarked: [Entry] = []
        for entry in entries {
            let text = try MigrationLoader.read(entry.url)
            if DbmateSections.hasMarker(text) { marked.append(entry) } else { unmarked.append(entry) }
        }
        if let first = marked.first, let missing = unmarked.first {
            throw MigrationError(
                file: missing.url.path,
                message: "a dbmate migration needs a `-- migrate:up` line (\(first.name) has dbmate sections, this file none)")
        }
        return (marked.isEmpty ? .plain : .dbmate, entries)
    }

    /// What one migration of the layout is called in messages.
    var title: String {
        switch self {
        case .flyway: "a Flyway migration"
        case .golangMigrate: "a golang-migrate migration"
        case .dbmate: "a dbmate migration"
        case .diesel: "a diesel migration folder"
        case .plain: "a numbered (plain or dbmate) migration"
        }
    }
}
