import Foundation

/// Flyway: `V<version>__<description>.sql`, undone by `U<version>__<description>.sql`.
extension MigrationLoader {
    static func flyway(_ entries: [MigrationLayout.Entry]) throws(MigrationError) -> [Migration] {
        var ups: [(version: String, name: String, url: URL)] = []
        var downs: [(version: String, url: URL)] = []
        for entry in entries {
            guard case .flyway(let version, let description, let undo) = entry.kind else { continue }
            if undo { downs.append((version, entry.url)) } else { ups.append((version, description, entry.url)) }
        }
        return try paired(ups, downs, downKind: "undo migration (U…)")
    }
}
