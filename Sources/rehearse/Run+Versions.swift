import RehearseResults
import RehearseScenario

/// The version matrix of `run` (`--pg`, `database.versions`).
extension Run {
    /// The majors of `--pg` (already validated), nil without it.
    var versionOverride: [Int]? { pg.flatMap { PostgresVersions.parse($0).versions } }

    /// The majors `scenario` runs on; nil: once, on the server chosen as before.
    func versions(of scenario: Scenario) -> [Int]? {
        PostgresVersions.planned(for: scenario, override: versionOverride)
    }

    /// The baseline files `--save-baseline` writes: `<scenario>.json`, or one
    /// `<scenario>.pg<major>.json` for each version a scenario runs on.
    func baselineNames(_ scenarios: [Scenario]) -> [String] {
        scenarios.flatMap { scenario in
            (versions(of: scenario).map { $0.map(Optional.some) } ?? [nil]).map {
                "\(scenario.name)\(PostgresVersions.fileSuffix($0)).json"
            }
        }
    }

    /// The baseline file of one document: suffixed with its major when its scenario ran on versions.
    func baselineName(_ document: ResultsDocument, scenarios: [Scenario]) -> String {
        let versioned = scenarios.first { $0.name == document.scenario.name }.map { versions(of: $0) != nil } ?? false
        return "\(document.scenario.name)\(PostgresVersions.fileSuffix(versioned ? document.postgresMajor : nil)).json"
    }
}
