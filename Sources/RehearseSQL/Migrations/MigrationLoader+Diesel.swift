import Foundation

/// diesel: folders `<version>_<name>/` with `up.sql`, an optional `down.sql`
/// and an optional `metadata.toml` (`run_in_transaction = false`).
extension MigrationLoader {
    static func diesel(_ entries: [MigrationLayout.Entry]) throws(MigrationError) -> [Migration] {
        var migrations: [Migration] = []
        let fm = FileManager.default
        for entry in entries {
            guard case .dieselFolder(let version, let name) = entry.kind else { continue }
            let upURL = entry.url.appendingPathComponent("up.sql")
            guard fm.fileExists(atPath: upURL.path) else {
                throw MigrationError(file: entry.url.path, message: "a diesel migration folder needs an up.sql")
            }
            let downURL = entry.url.appendingPathComponent("down.sql")
            let hasDown = fm.fileExists(atPath: downURL.path)
            let metadata = entry.url.appendingPathComponent("metadata.toml")
            let transactional =
                fm.fileExists(atPath: metadata.path)
                ? try runsInTransaction(try read(metadata), file: metadata.path) : true
            migrations.append(
                Migration(
                    version: version, name: name, upFile: upURL, up: try read(upURL),
                    down: hasDown ? try read(downURL) : nil, downFile: hasDown ? downURL : nil,
                    transaction: transactional ? .wrapped : .none))
        }
        return migrations
    }

    /// The top-level `run_in_transaction` key of diesel's metadata.toml (default true).
    static func runsInTransaction(_ toml: String, file: String) throws(MigrationError) -> Bool {
        for (index, raw) in toml.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = (raw.firstIndex(of: "#").map { raw[..<$0] } ?? raw).trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { break }  // keys after a table header are not diesel's
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "run_in_transaction" else { continue }
            switch parts[1] {
            case "true": return true
            case "false": return false
            default:
                throw MigrationError(
                    file: file, line: index + 1, message: "run_in_transaction must be true or false, not \(parts[1])")
            }
        }
        return true
    }
}
