import Foundation

/// One migration of a folder, whatever its layout.
struct Migration: Sendable, Equatable {
    /// The version as the file names it (`001`, `1.1`, `20240101120000`).
    var version: String
    var name: String
    var upFile: URL
    var up: String
    /// Nil when there is no down; an empty text is a down that does nothing.
    var down: String?
    /// The file holding `down`: its own file, or `upFile` for dbmate's sections.
    var downFile: URL?
    /// How the layout's tool sends the up script, and the down script.
    var upTransaction: MigrationTransaction
    var downTransaction: MigrationTransaction
    /// Flyway's `R__` migrations: applied after every versioned one, never undone.
    var repeatable = false
    /// The key migrations are ordered by and duplicates found with.
    var key: MigrationVersion

    init(
        version: String, name: String, upFile: URL, up: String, down: String? = nil, downFile: URL? = nil,
        transaction: MigrationTransaction = .wrapped, downTransaction: MigrationTransaction? = nil, key: MigrationVersion? = nil
    ) {
        self.version = version
        self.name = name
        self.upFile = upFile
        self.up = up
        self.down = down
        self.downFile = downFile
        self.upTransaction = transaction
        self.downTransaction = downTransaction ?? transaction
        self.key = key ?? MigrationVersion(version) ?? MigrationVersion("0")!
    }
}
