public import Foundation

/// Reading and writing profile files (JSON, format version 1).
public enum ProfileFile {
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    public static func encode(_ profile: Profile) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(profile)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Profiles are read whole; past this they are not what `rehearse profile` writes.
    public static let maxBytes = 256 << 20

    public static func load(_ url: URL) throws(LoadError) -> Profile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LoadError(file: url.path, message: "cannot read the profile: \(error.localizedDescription)")
        }
        guard data.count <= maxBytes else {
            throw LoadError(file: url.path, message: "the profile is \(data.count) bytes; at most \(maxBytes) are read")
        }
        return try decode(data, file: url.path)
    }

    public static func decode(_ data: Data, file: String) throws(LoadError) -> Profile {
        struct VersionOnly: Decodable {
            var profileVersion: Int?
            enum CodingKeys: String, CodingKey { case profileVersion = "profile_version" }
        }
        let version = (try? JSONDecoder().decode(VersionOnly.self, from: data))?.profileVersion
        guard let version else { throw LoadError(file: file, message: "not a rehearse profile (no profile_version)") }
        guard version == Profile.currentVersion else {
            throw LoadError(
                file: file, message: "profile_version \(version) is not known to this rehearse (it reads version \(Profile.currentVersion))")
        }
        let profile: Profile
        do { profile = try JSONDecoder().decode(Profile.self, from: data) } catch {
            throw LoadError(file: file, message: "not a valid profile: \(describe(error))")
        }
        if let problem = problems(profile).first { throw LoadError(file: file, message: problem) }
        return profile
    }

    /// What a decoded profile may not say: numbers out of their range, lists of different lengths.
    public static func problems(_ profile: Profile) -> [String] {
        var found: [String] = []
        for table in profile.tables {
            let t = table.qualifiedName
            if !(table.rows.isFinite && table.rows >= 0 && table.rows <= 9e15) { found.append("\(t): rows must be from 0 to 9e15") }
            if table.pages < 0 { found.append("\(t): pages must not be negative") }
            let names = Set(table.columns.map(\.name))
            for key in (table.primaryKey.map { [$0] } ?? []) + table.unique + table.foreignKeys.map(\.columns) {
                for name in key where !names.contains(name) { found.append("\(t): key column '\(name)' is not among its columns") }
            }
            for column in table.columns {
                guard let s = column.stats else { continue }
                let c = "\(t).\(column.name)"
                if !(0...1).contains(s.nullFrac) { found.append("\(c): null_frac must be from 0 to 1") }
                if !s.nDistinct.isFinite || s.nDistinct < -1 { found.append("\(c): n_distinct must be -1 or more") }
                if let freqs = s.mostCommonFreqs {
                    if freqs.contains(where: { !(0...1).contains($0) }) || freqs.reduce(0, +) > 1.000001 {
                        found.append("\(c): most_common_freqs must be fractions adding up to at most 1")
                    }
                    if let values = s.mostCommonVals, values.count != freqs.count {
                        found.append("\(c): most_common_vals and most_common_freqs differ in length")
                    }
                }
                if let corr = s.correlation, !(-1...1).contains(corr) { found.append("\(c): correlation must be from -1 to 1") }
                if s.avgWidth < 0 { found.append("\(c): avg_width must not be negative") }
            }
        }
        return found
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
