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
                throw MigrationError(file: dir.appendingPathComponent(stray).path, message: "mixed layouts: diesel folders and loose .sql files")
            }
            return .diesel
        }
        guard !files.isEmpty else { throw MigrationError(file: dir.path, message: "no .sql migrations in the folder") }
        if files.allSatisfy({ match(flywayName, $0) != nil }) { return .flyway }
        if files.allSatisfy({ match(golangName, $0) != nil }) { return .golangMigrate }
        if let odd = files.first(where: { match(numberedName, $0) == nil }) {
            throw MigrationError(file: dir.appendingPathComponent(odd).path, message: "unrecognised migration file name (expected V1__name.sql, 1_name.up.sql, or a numbered .sql file)")
        }
        // Numbered files: dbmate when they carry `-- migrate:up` sections.
        let marked = files.filter { name in
            let text = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return text.contains("-- migrate:up")
        }
        if marked.count == files.count { return .dbmate }
        if !marked.isEmpty {
            let unmarked = files.first { !marked.contains($0) }!
            throw MigrationError(file: dir.appendingPathComponent(unmarked).path, message: "dbmate migration without a `-- migrate:up` section")
        }
        return .plain
    }
}
