/// A dbmate migration file split at its `-- migrate:up` and
/// `-- migrate:down` lines. Both texts keep the file's line numbers: every
/// line outside a section is blank in it, so a server error's position or a
/// statement's line points into the file. Line ends become LF.
struct DbmateSections: Sendable, Equatable {
    var up: String
    /// Nil when the file has no down section; an empty or comment-only
    /// section is a down that does nothing, as dbmate runs it.
    var down: String?
    /// False with `-- migrate:up transaction:false`.
    var transactional: Bool
    /// False with `-- migrate:down transaction:false`.
    var downTransactional = true

    private enum Marker { case up, down }

    /// Whether any line is a dbmate section marker.
    static func hasMarker(_ text: String) -> Bool {
        lines(text).contains { marker(in: $0) != nil }
    }

    static func parse(_ text: String, file: String) throws(MigrationError) -> DbmateSections {
        let lines = Self.lines(text)
        var upRange: Range<Int>?
        var downStart: Int?
        var transactional = true
        var downTransactional = true
        for (index, line) in lines.enumerated() {
            guard let (marker, options) = marker(in: line) else {
                let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
                if upRange == nil && !trimmed.isEmpty && !trimmed.hasPrefix("--") {
                    throw MigrationError(
                        file: file, line: index + 1, message: "SQL before `-- migrate:up`: dbmate runs only the sections")
                }
                continue
            }
            var transaction: Bool?
            for option in options {
                switch option {
                case "transaction:false": transaction = false
                case "transaction:true": transaction = true
                default:
                    throw MigrationError(
                        file: file, line: index + 1,
                        message: "unknown dbmate option `\(option)` (the one dbmate knows is transaction:false)")
                }
            }
            switch marker {
            case .up:
                guard upRange == nil else {
                    throw MigrationError(file: file, line: index + 1, message: "a second `-- migrate:up` line")
                }
                upRange = (index + 1)..<lines.count
                transactional = transaction ?? true
            case .down:
                guard let up = upRange else {
                    throw MigrationError(file: file, line: index + 1, message: "`-- migrate:down` before `-- migrate:up`")
                }
                guard downStart == nil else {
                    throw MigrationError(file: file, line: index + 1, message: "a second `-- migrate:down` line")
                }
                upRange = up.lowerBound..<index
                downStart = index + 1
                downTransactional = transaction ?? true
            }
        }
        guard let upRange else {
            throw MigrationError(file: file, message: "a dbmate migration needs a `-- migrate:up` line")
        }
        return DbmateSections(
            up: section(lines, upRange), down: downStart.map { section(lines, $0..<lines.count) },
            transactional: transactional, downTransactional: downTransactional)
    }

    /// Lines ending in LF or CRLF (one Character in Swift, so not split by "\n").
    private static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }

    /// The lines of `range`, after as many blank lines as come before it in the file.
    private static func section(_ lines: [Substring], _ range: Range<Int>) -> String {
        String(repeating: "\n", count: range.lowerBound) + lines[range].joined(separator: "\n")
    }

    /// dbmate's marker: `--`, optional spaces, `migrate:up` or `migrate:down`, then options.
    private static func marker(in line: Substring) -> (Marker, [Substring])? {
        guard line.hasPrefix("--") else { return nil }
        let rest = line.dropFirst(2).drop { $0 == " " || $0 == "\t" }
        let marker: Marker
        let tail: Substring
        if rest.hasPrefix("migrate:up") {
            marker = .up
            tail = rest.dropFirst("migrate:up".count)
        } else if rest.hasPrefix("migrate:down") {
            marker = .down
            tail = rest.dropFirst("migrate:down".count)
        } else {
            return nil
        }
        guard tail.first?.isWhitespace ?? true else { return nil }
        return (marker, tail.split(whereSeparator: \.isWhitespace))
    }
}
