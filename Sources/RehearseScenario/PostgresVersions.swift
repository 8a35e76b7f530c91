import Foundation

/// Which PostgreSQL major versions a scenario runs on: `database.versions` in the file,
/// `--pg 15,16,18` on the command line over it. Pure, so that planning (a shard's share of
/// scenario × version × repetition) can ask without starting anything.
public enum PostgresVersions {
    /// The majors a scenario or `--pg` may name.
    public static let range = 10...99

    /// The majors `scenario` runs on, in ascending order without repeats; nil when none are
    /// asked for (neither `override` nor `database.versions`): one run on the server chosen
    /// as before, whose results keep their names.
    public static func planned(for scenario: Scenario, override: [Int]?) -> [Int]? {
        guard let asked = override ?? scenario.database.versions, !asked.isEmpty else { return nil }
        return Array(Set(asked)).sorted()
    }

    /// The majors of `--pg 15,16,18`; nil and the problem when a part is not one.
    public static func parse(_ text: String) -> (versions: [Int]?, problem: String?) {
        var versions: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = part.trimmingCharacters(in: .whitespaces)
            guard let major = Int(word), range.contains(major) else {
                return (
                    nil,
                    "--pg: '\(word)' is not a PostgreSQL major version from \(range.lowerBound) to \(range.upperBound) (write --pg 15,16,18)"
                )
            }
            if !versions.contains(major) { versions.append(major) }
        }
        return (versions.sorted(), nil)
    }

    /// The suffix of a results file or baseline of a run on `major` (`.pg16`): runs without
    /// versions keep their names, so their baselines still match.
    public static func fileSuffix(_ major: Int?) -> String { major.map { ".pg\($0)" } ?? "" }
}
