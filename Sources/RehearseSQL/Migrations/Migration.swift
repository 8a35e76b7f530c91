package import Foundation

/// One migration of a folder, whatever its layout.
package struct Migration: Sendable, Equatable {
    /// The version as the file names it (`001`, `1.1`, `20240101120000`).
    package var version: String
    package var name: String
    package var upFile: URL
    package var up: String
    /// Nil when there is no down; an empty text is a down that does nothing.
    package var down: String?
    /// The file holding `down`: its own file, or `upFile` for dbmate's sections.
    package var downFile: URL?
    /// How the layout's tool sends the up script, and the down script.
    package var upTransaction: MigrationTransaction
    package var downTransaction: MigrationTransaction
    /// Flyway's `R__` migrations: applied after every versioned one, never undone.
    package var repeatable = false
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
        self.key = key ?? MigrationVersion(version) ?? .zero
    }
}
