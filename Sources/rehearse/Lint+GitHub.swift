import Foundation
import RehearseReport
import RehearseScenario
import RehearseSupport

extension Lint {
    /// `lint --format github`: each problem as a workflow command on its file, line and column
    /// (relative to the git checkout), so a pull request shows it where it was written.
    func githubAnnotations(_ errors: [ScenarioError]) -> String {
        errors.map { error in
            GitHubAnnotations.command(
                .init(
                    level: .error, file: OutgoingText.terminal(repositoryPath(URL(fileURLWithPath: error.file))), line: error.line,
                    column: error.column, title: OutgoingText.terminal("rehearse lint" + (error.key.isEmpty ? "" : ": \(error.key)")),
                    message: OutgoingText.terminal(error.message)))
        }.joined()
    }
}
