import Foundation
import RehearseReport
import RehearseResults
import RehearseScenario
import RehearseSupport

/// Where the scenario files that documents name wrote their parts, for `--format github`:
/// each file read again (it is where the run read it, relative to this folder), paths made
/// relative to the root of the git checkout that holds them, as GitHub places annotations.
/// A file that is gone or no longer loads still gets its annotations, without lines.
func annotationSources(for documents: [ResultsDocument]) -> [String: GitHubAnnotations.Sources] {
    var out: [String: GitHubAnnotations.Sources] = [:]
    for doc in documents where out[doc.scenario.name] == nil {
        let url = URL(fileURLWithPath: doc.scenario.file)
        var sources = GitHubAnnotations.Sources(scenarioFile: repositoryPath(url))
        if let scenario = try? ScenarioLoader.load(file: url) {
            for step in scenario.steps {
                sources.steps[step.name] = step.location.line
                if case .migrate(let spec) = step.kind {
                    sources.migrationParents[step.name] = repositoryPath(spec.dir.deletingLastPathComponent())
                }
            }
            for check in scenario.checks { sources.checks[check.name] = check.location.line }
            for group in scenario.targets {
                for target in group.targets { sources.targets["\(group.label) \(target.text)"] = target.location.line }
            }
            sources.rollback = scenario.rollback?.location.line
        }
        // `expect:` has no position in the model; it is a top-level key, alone at the start of its line.
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            sources.expect = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("expect:") }
                .map { $0 + 1 }
        }
        out[doc.scenario.name] = sources
    }
    return out
}

/// `url`'s path inside the nearest enclosing git checkout (a folder with `.git`, a folder or a
/// worktree's file), `""` for the checkout itself; else the path as given.
func repositoryPath(_ url: URL) -> String {
    let absolute = url.standardizedFileURL
    var folder = absolute
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) {
            return folder.path == absolute.path ? "" : absolute.path(inside: folder) ?? url.relativePath
        }
        folder.deleteLastPathComponent()
    }
    return url.relativePath
}

/// `--format github`: the current documents' failures (newest of each scenario) and the regressions.
func githubAnnotations(currents: [ResultsDocument], report: ComparisonReport) -> String {
    let documents = Comparator.newestByScenarioList(currents)
    return GitHubAnnotations.render(documents: documents, comparison: report, sources: annotationSources(for: documents))
}

/// The names `--format` takes, for its error message.
let formatNames = ComparisonFormatter.Format.allCases.map(\.rawValue).joined(separator: ", ")
