import Foundation

/// One migration of a folder, whatever its layout.
struct Migration: Sendable {
    var version: String
    var name: String
    var upFile: URL
    var up: String
    var down: String?
    var downFile: URL?
    /// False when the layout marks it non-transactional (dbmate `transaction:false`, diesel `run_in_transaction = false`).
    var transactional: Bool

    /// Numeric segments of the version, for ordering (1 < 2 < 10, 1.1 < 1.2).
    var order: [Int] {
        version.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" }).map { Int($0) ?? 0 }
    }

    static func ordered(_ a: Migration, _ b: Migration) -> Bool {
        let (x, y) = (a.order, b.order)
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : 0
            let r = i < y.count ? y[i] : 0
            if l != r { return l < r }
        }
        return a.version < b.version
    }
}

struct MigrationError: Error, Sendable, CustomStringConvertible {
    var file: String
    var line: Int?
    var message: String
    var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}
