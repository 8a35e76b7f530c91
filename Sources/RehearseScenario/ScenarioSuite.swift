public import Foundation

/// The scenario files of one `lint` or `run`, each loaded once, with the checks that
/// span files: names are unique in a suite (they name the results folders and the
/// baselines, and compare matches by them).
public struct ScenarioSuite: Sendable {
    /// The files that loaded, in the order given.
    public var scenarios: [Scenario] = []
    /// Every problem, file by file in the order given.
    public var errors: [ScenarioError] = []

    public static func load(files: [URL]) -> ScenarioSuite {
        var suite = ScenarioSuite()
        var names: [String: URL] = [:]
        for file in files {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(file: file) } catch {
                suite.errors += error.errors
                continue
            }
            if let other = names[scenario.name] {
                suite.errors.append(
                    ScenarioError(
                        file: file.relativePath, line: 1, column: 1, key: "name",
                        message: "'\(scenario.name)' is also the name of \(other.relativePath); names are unique in a suite"))
            } else {
                names[scenario.name] = file
            }
            suite.scenarios.append(scenario)
        }
        return suite
    }
}
