import Foundation

/// The migration folder layouts rehearse recognises.
enum MigrationLayout: String, Sendable {
    case flyway, golangMigrate = "golang-migrate", dbmate, diesel, plain

    nonisolated(unsafe) static let flywayName = try! NSRegularExpression(pattern: #"^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$"#)
    nonisolated(unsafe) static let golangName = try! NSRegularExpression(pattern: #"^(\d+)_(.+)\.(up|down)\.sql$"#)
    nonisolated(unsafe) static let numberedName = try! NSRegularExpression(pattern: #"^(\d+)(?:[_-](.+))?\.sql$"#)
    nonisolated(unsafe) static let dieselFolder = try! NSRegularExpression(pattern: #"^(\d[\d_-]*?)_(.+)$"#)

    static func match(_ regex: NSRegularExpression, _ name: String) -> [String]? {
        guard let m = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) else { return nil }
        return (0..<m.numberOfRanges).map { i in
            Range(m.range(at: i), in: name).map { String(name[$0]) } ?? ""
        }
    }

    /// Detects the layout of a folder from its entries; mixed or unknown entries are errors naming them.
    static func detect(in dir: URL) throws(MigrationError) -> MigrationLayout {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: dir.path) else {
            throw MigrationError(file: dir.path, message: "not a readable folder")
        }
        let visible = entries.filter { !$0.hasPrefix(".") }.sorted()
        guard !visible.isEmpty else { throw MigrationError(file: dir.path, message: "the migrations folder is empty") }
        var isDir: ObjCBool = false
        let folders = visible.filter { fm.fileExists(atPath: dir.appendingPathComponent($0).path, isDirectory: &isDir) && isDir.boolValue }
        let files = visible.filter { $0.hasSuffix(".sql") && !folders.contains($0) }
        if !folders.isEmpty {
            for f in folders where !fm.fileExists(atPath: dir.appendingPathComponent(f).appendingPathComponent("up.sql").path) {
                throw MigrationError(file: dir.appendingPathComponent(f).path, message: "a diesel migration folder needs up.sql")
            }
            if let stray = files.first {
                throw MigrationError(
                    file: dir.appendingPathComponent(stray).path, message: "mixed layouts: diesel folders and loose .sql files")
            }
            return .diesel
        }
        guard !files.isEmpty else { throw MigrationError(file: dir.path, message: "no .sql migrations in the folder") }
        // The layout most files follow; the first file that does not follow it is the one to name.
        let candidates: [(MigrationLayout, NSRegularExpression)] = [
            (.flyway, flywayName), (.golangMigrate, golangName), (.plain, numberedName),
        ]
        let (best, regex) = candidates.max { a, b in
            files.filter { match(a.1, $0) != nil }.count < files.filter { match(b.1, $0) != nil }.count
        }!
        if let odd = files.first(where: { match(regex, $0) == nil }) {
            let expected =
                best == .flyway
                ? "V<version>__<name>.sql" : best == .golangMigrate ? "<version>_<name>.up.sql / .down.sql" : "a numbered .sql file"
            throw MigrationError(
                file: dir.appendingPathComponent(odd).path,
                message: "does not follow the folder's \(best.rawValue) layout (expected \(expected))")
        }
        if best == .flyway { return .flyway }
        if best == .golangMigrate { return .golangMigrate }
        // Numbered files: dbmate when they carry `-- migrate:up` sections.
        let marked = files.filter { name in
            let text = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return text.contains("-- migrate:up")
        }
        if marked.count == files.count { return .dbmate }
        if !marked.isEmpty {
            let unmarked = files.first { !marked.contains($0) }!
            throw MigrationError(
                file: dir.appendingPathComponent(unmarked).path, message: "dbmate migration without a `-- migrate:up` section")
        }
        return .plain
    }
}
