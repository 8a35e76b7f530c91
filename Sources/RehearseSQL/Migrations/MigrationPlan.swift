import Foundation

/// Pure decisions about a folder's migrations: which to apply for a `to:`,
/// and how each file is sent, before any of them runs.
package enum MigrationPlan {
    /// The index of the versioned migration `to` names, spelled as its file or
    /// folder spells it (`1.2` or `1_2`, `000043` or `43`, `2023-12-06-180359`).
    package static func last(_ to: String, in migrations: [Migration]) -> Int? {
        guard let version = MigrationVersion(to) else { return nil }
        return migrations.firstIndex { !$0.repeatable && $0.key == version }
    }

    /// The migrations to apply, with their ordinals: those not yet `applied`,
    /// up to `to` (repeatables always come after the versioned ones).
    package static func pending(
        _ migrations: [Migration], applied: Set<String>, to: String?
    ) -> [(offset: Int, element: Migration)]? {
        var last = migrations.count - 1
        if let to {
            guard let index = Self.last(to, in: migrations) else { return nil }
            last = index
        }
        return migrations.enumerated().filter { !applied.contains($0.element.version) && ($0.offset <= last || $0.element.repeatable) }
    }

    /// The first Flyway script that mixes statements PostgreSQL refuses in a
    /// transaction with ones that need one, said as Flyway's refusal.
    package static func refusedMix(in migrations: [Migration]) -> String? {
        for migration in migrations {
            let scripts = [
                (migration.upFile, migration.upTransaction), (migration.downFile ?? migration.upFile, migration.downTransaction),
            ]
            for (file, transaction) in scripts {
                guard case .mixed(let line) = transaction else { continue }
                return "\(file.lastPathComponent):\(line): mixes statements PostgreSQL refuses inside a transaction "
                    + "with statements that need one; Flyway refuses such a script: split it, or say `mixed: true` "
                    + "to run it without a transaction as Flyway's `mixed` setting does"
            }
        }
        return nil
    }
}
