import Foundation

/// What an entry of a migrations folder is, judged by its name alone.
enum MigrationFileName: Sendable, Equatable {
    /// Flyway `V<version>__<description>.sql` (`undo` for `U…`); `version` uses dots.
    case flyway(version: String, description: String, undo: Bool)
    /// Flyway `R__<description>.sql`, applied after the versioned migrations.
    case flywayRepeatable(description: String)
    /// golang-migrate `<version>_<name>.up.sql` / `.down.sql`.
    case golangMigrate(version: String, name: String, up: Bool)
    /// `<version>[_-]<name>.sql` or `<version>.sql`: dbmate or plain, told apart by content.
    case numbered(version: String, name: String)
    /// A diesel folder `<version>_<name>`; the version without its dashes, as diesel has it.
    case dieselFolder(version: String, name: String)
    /// Hidden files and documentation next to the migrations.
    case ignored
    case unrecognised

    init(_ name: String, isDirectory: Bool) {
        if name.hasPrefix(".") {
            self = .ignored
            return
        }
        if isDirectory {
            self = Self.diesel(name) ?? .unrecognised
            return
        }
        let lower = name.lowercased()
        if lower.hasSuffix(".md") || lower.hasSuffix(".txt") {
            self = .ignored
            return
        }
        guard name.hasSuffix(".sql") else {
            self = .unrecognised
            return
        }
        let stem = name.dropLast(4)
        self = Self.flyway(stem) ?? Self.golang(stem) ?? Self.numbered(stem) ?? .unrecognised
    }

    /// The layout a name belongs to, when it belongs to exactly one.
    var layout: MigrationLayout? {
        switch self {
        case .flyway, .flywayRepeatable: .flyway
        case .golangMigrate: .golangMigrate
        case .dieselFolder: .diesel
        case .numbered: .plain  // or dbmate: the content decides
        case .ignored, .unrecognised: nil
        }
    }

    private static func flyway(_ stem: Substring) -> MigrationFileName? {
        guard let prefix = stem.first, prefix == "V" || prefix == "U" || prefix == "R" else { return nil }
        let rest = stem.dropFirst()
        guard let separator = rest.firstRange(of: "__") else { return nil }
        let version = rest[..<separator.lowerBound]
        let description = rest[separator.upperBound...]
        if prefix == "R" { return version.isEmpty && !description.isEmpty ? .flywayRepeatable(description: String(description)) : nil }
        guard !description.isEmpty, MigrationVersion(version) != nil, !version.contains("-") else { return nil }
        return .flyway(
            version: version.replacingOccurrences(of: "_", with: "."), description: String(description), undo: prefix == "U")
    }

    private static func golang(_ stem: Substring) -> MigrationFileName? {
        let up = stem.hasSuffix(".up")
        guard up || stem.hasSuffix(".down") else { return nil }
        let base = stem.dropLast(up ? 3 : 5)
        let digits = base.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, base.dropFirst(digits.count).first == "_" else { return nil }
        return .golangMigrate(version: String(digits), name: String(base.dropFirst(digits.count + 1)), up: up)
    }

    private static func numbered(_ stem: Substring) -> MigrationFileName? {
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let rest = stem.dropFirst(digits.count)
        if rest.isEmpty { return .numbered(version: String(digits), name: "") }
        guard rest.first == "_" || rest.first == "-", rest.count > 1 else { return nil }
        return .numbered(version: String(digits), name: String(rest.dropFirst()))
    }

    private static func diesel(_ name: String) -> MigrationFileName? {
        let version = name.prefix { ($0.isASCII && $0.isNumber) || $0 == "-" }
        guard version.first?.isNumber == true, name.dropFirst(version.count).first == "_" else { return nil }
        let title = name.dropFirst(version.count + 1)
        guard !title.isEmpty else { return nil }
        return .dieselFolder(version: version.replacingOccurrences(of: "-", with: ""), name: String(title))
    }
}
