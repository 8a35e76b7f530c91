import Foundation

/// Reads a migrations folder in any supported layout into ordered migrations.
enum MigrationLoader {
    static func load(dir: URL) throws(MigrationError) -> (MigrationLayout, [Migration]) {
        let layout = try MigrationLayout.detect(in: dir)
        var migrations: [Migration]
        switch layout {
        case .flyway: migrations = try flyway(dir)
        case .golangMigrate: migrations = try golang(dir)
        case .dbmate: migrations = try dbmate(dir)
        case .diesel: migrations = try diesel(dir)
        case .plain: migrations = try plain(dir)
        }
        migrations.sort(by: Migration.ordered)
        var seen: [String: URL] = [:]
        for m in migrations {
            let key = m.order.map(String.init).joined(separator: ".")
            if let other = seen[key] {
                throw MigrationError(file: m.upFile.path, message: "duplicate version \(m.version) (also \(other.lastPathComponent))")
            }
            seen[key] = m.upFile
        }
        return (layout, migrations)
    }

    static func read(_ url: URL) throws(MigrationError) -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw MigrationError(file: url.path, message: "cannot read as UTF-8 text")
        }
    }

    static func sqlFiles(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".sql") && !$0.hasPrefix(".") }
            .sorted()
    }

    /// Layouts with one file per direction: `pattern` gives (version, name, isUp) for a file name.
    static func pairedFiles(
        _ dir: URL, orphanDown: String, _ parse: ([String]) -> (version: String, name: String, up: Bool), pattern: NSRegularExpression
    ) throws(MigrationError) -> [Migration] {
        var ups: [String: Migration] = [:]
        var downs: [String: URL] = [:]
        for file in sqlFiles(dir) {
            guard let m = MigrationLayout.match(pattern, file) else { continue }
            let url = dir.appendingPathComponent(file)
            let (version, name, up) = parse(m)
            if up {
                ups[version] = Migration(version: version, name: name, upFile: url, up: try read(url), transactional: true)
            } else {
                downs[version] = url
            }
        }
        for (version, url) in downs {
            guard ups[version] != nil else { throw MigrationError(file: url.path, message: orphanDown) }
            ups[version]!.down = try read(url)
            ups[version]!.downFile = url
        }
        return Array(ups.values)
    }

    static func flyway(_ dir: URL) throws(MigrationError) -> [Migration] {
        try pairedFiles(
            dir, orphanDown: "undo migration (U…) without its V… migration", { ($0[2], $0[3], $0[1] == "V") },
            pattern: MigrationLayout.flywayName)
    }

    static func golang(_ dir: URL) throws(MigrationError) -> [Migration] {
        try pairedFiles(
            dir, orphanDown: "down migration without an up migration", { ($0[1], $0[2], $0[3] == "up") },
            pattern: MigrationLayout.golangName)
    }

    static func dbmate(_ dir: URL) throws(MigrationError) -> [Migration] {
        var result: [Migration] = []
        for name in sqlFiles(dir) {
            guard let m = MigrationLayout.match(MigrationLayout.numberedName, name) else { continue }
            let url = dir.appendingPathComponent(name)
            let text = try read(url)
            var up: [Substring] = []
            var down: [Substring] = []
            var section = 0
            var transactional = true
            var sawUp = false
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("-- migrate:up") {
                    section = 1
                    sawUp = true
                    if trimmed.contains("transaction:false") { transactional = false }
                    up.append("")
                    continue
                }
                if trimmed.hasPrefix("-- migrate:down") {
                    guard sawUp else {
                        throw MigrationError(file: url.path, line: index + 1, message: "`-- migrate:down` before `-- migrate:up`")
                    }
                    section = 2
                    down.append("")
                    continue
                }
                // Keep line numbers of the up section aligned with the file (blank lines before it).
                if section == 0 { up.append("") } else if section == 1 { up.append(line) } else { down.append(line); up.append("") }
            }
            guard sawUp else { throw MigrationError(file: url.path, message: "dbmate migration without a `-- migrate:up` section") }
            let downText = down.joined(separator: "\n")
            result.append(
                Migration(
                    version: m[1], name: m[2].isEmpty ? name : m[2], upFile: url, up: up.joined(separator: "\n"),
                    down: downText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : downText,
                    downFile: url, transactional: transactional))
        }
        return result
    }

    static func diesel(_ dir: URL) throws(MigrationError) -> [Migration] {
        var result: [Migration] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            let folder = dir.appendingPathComponent(name)
            let version: String
            let title: String
            if let m = MigrationLayout.match(MigrationLayout.dieselFolder, name) {
                version = m[1].replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
                title = m[2]
            } else {
                throw MigrationError(file: folder.path, message: "a diesel migration folder is named <version>_<name>")
            }
            let upURL = folder.appendingPathComponent("up.sql")
            let downURL = folder.appendingPathComponent("down.sql")
            let hasDown = FileManager.default.fileExists(atPath: downURL.path)
            var transactional = true
            if let meta = try? String(contentsOf: folder.appendingPathComponent("metadata.toml"), encoding: .utf8) {
                for line in meta.split(separator: "\n") {
                    let compact = line.replacingOccurrences(of: " ", with: "")
                    if compact.hasPrefix("run_in_transaction=false") { transactional = false }
                }
            }
            result.append(
                Migration(
                    version: version, name: title, upFile: upURL, up: try read(upURL), down: hasDown ? try read(downURL) : nil,
                    downFile: hasDown ? downURL : nil, transactional: transactional))
        }
        return result
    }

    static func plain(_ dir: URL) throws(MigrationError) -> [Migration] {
        var result: [Migration] = []
        for name in sqlFiles(dir) {
            guard let m = MigrationLayout.match(MigrationLayout.numberedName, name) else { continue }
            let url = dir.appendingPathComponent(name)
            result.append(
                Migration(
                    version: String(Int(m[1]) ?? 0), name: m[2].isEmpty ? name : m[2], upFile: url, up: try read(url),
                    transactional: true))
        }
        return result
    }
}
