import Foundation

/// One migration of a folder, whatever its layout.
struct Migration: Sendable, Equatable {
    /// The version as the file names it (`001`, `1.1`, `20240101120000`).
    var version: String
    var name: String
    var upFile: URL
    var up: String
    var down: String?
    /// The file holding `down`: its own file, or `upFile` for dbmate's sections.
    var downFile: URL?
    /// False when the layout marks it non-transactional (dbmate `transaction:false`,
    /// diesel `run_in_transaction = false`): it then runs statement by statement.
    var transactional: Bool
    /// The key migrations are ordered by and duplicates found with.
    var key: MigrationVersion

    init(
        version: String, name: String, upFile: URL, up: String, down: String? = nil, downFile: URL? = nil,
        transactional: Bool = true, key: MigrationVersion? = nil
    ) {
        self.version = version
        self.name = name
        self.upFile = upFile
        self.up = up
        self.down = down
        self.downFile = downFile
        self.transactional = transactional
        self.key = key ?? MigrationVersion(version) ?? MigrationVersion("0")!
    }
}
