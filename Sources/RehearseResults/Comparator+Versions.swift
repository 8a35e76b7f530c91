import Foundation

extension Comparator {
    /// What documents are matched by: the scenario's name and its server's major version.
    package static func matchKey(_ document: ResultsDocument) -> String {
        // Zero-padded, so that keys sort by major: 9.6 before 15 before 100.
        let major = PostgresMajor.name(document.environment.postgresVersion)
        let padded = String(repeating: "0", count: max(0, 3 - major.prefix { $0.isNumber }.count)) + major
        return "\(document.scenario.name)\u{1F}\(padded)"
    }

    /// The baseline of `current` among `base` (both keyed by `matchKey`): the one of the same
    /// scenario and major; else, when each side holds that scenario on one major only, that
    /// one, as before versions were matched (a server upgrade is then compared, and its
    /// `postgres_version` warning says so).
    package static func counterpart(
        of current: ResultsDocument, in base: [String: ResultsDocument], among currents: [String: ResultsDocument]
    ) -> ResultsDocument? {
        if let exact = base[matchKey(current)] { return exact }
        let name = current.scenario.name
        let ours = base.values.filter { $0.scenario.name == name }
        guard ours.count == 1, currents.values.filter({ $0.scenario.name == name }).count == 1 else { return nil }
        return ours.first
    }

    /// A scenario's name, with its major (`deploy (PostgreSQL 16)`) when `documents` hold it on several.
    package static func label(_ document: ResultsDocument, among documents: [String: ResultsDocument]) -> String {
        let name = document.scenario.name
        guard documents.values.filter({ $0.scenario.name == name }).count > 1 else { return name }
        return "\(name) (PostgreSQL \(PostgresMajor.name(document.environment.postgresVersion)))"
    }
}
