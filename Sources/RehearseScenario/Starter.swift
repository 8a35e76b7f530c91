package import Foundation
import RehearseSQL
import RehearseSupport

/// `rehearse init`: a starter scenario (and a GitHub workflow that runs it with rehearse's
/// action) for the migrations folder found in a project. Finding the folder reads the disk;
/// the texts are pure functions of what was found, so tests can check each layout's.
package enum Starter {
    /// The action a workflow uses by default: rehearse's repository, where its action.yml is.
    package static let action = "rehearse/rehearse@v1"

    /// A migrations folder rehearse can apply, as `MigrationLoader` reads it.
    package struct Migrations: Sendable, Equatable {
        /// Relative to the project's root, `/`-separated.
        package var path: String
        package var layout: String
        package var count: Int
        /// Every migration has a down (a down file, section or undo script): the starter then
        /// checks each down on the way and rehearses the rollback.
        package var reversible: Bool

        package init(path: String, layout: String, count: Int, reversible: Bool) {
            self.path = path
            self.layout = layout
            self.count = count
            self.reversible = reversible
        }
    }

    /// Folders never searched: dependencies, build output, rehearse's own results.
    static let skipped: Set<String> = ["node_modules", "vendor", "target", "build", "dist", "results", "Pods", "venv"]

    /// The shallowest folder under `root` (to 5 levels, hidden folders left out) whose name
    /// speaks of migrations and that loads as one layout; ties go to the first by name.
    package static func findMigrations(in root: URL) -> Migrations? {
        let fm = FileManager.default
        var level: [URL] = [root]
        for _ in 0..<5 {
            var next: [URL] = []
            for folder in level {
                let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
                for name in names where !name.hasPrefix(".") && !skipped.contains(name) {
                    let url = folder.appendingPathComponent(name)
                    var isDirectory: ObjCBool = false
                    guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                    if name.lowercased().contains("migrat"), let found = migrations(at: url, root: root) { return found }
                    next.append(url)
                }
            }
            level = next
        }
        return nil
    }

    /// The folder as a migrations folder, or nil when it is not one.
    package static func migrations(at url: URL, root: URL) -> Migrations? {
        guard let (layout, loaded) = try? MigrationLoader.load(dir: url), !loaded.isEmpty else { return nil }
        return Migrations(
            path: url.path(inside: root) ?? url.path, layout: layout.rawValue, count: loaded.count,
            reversible: loaded.allSatisfy { $0.down != nil && !$0.repeatable })
    }

    /// The starter scenario, for a file in `scenarios` (a folder relative to the root): every
    /// migration applied to an empty database, timed, its locks recorded; with downs, each down
    /// checked on the way and the rollback rehearsed. Without migrations, one SQL step to edit.
    package static func scenario(_ migrations: Migrations?, scenarios: String) -> String {
        guard let m = migrations else {
            return """
                # Written by `rehearse init`, which found no migrations folder (migrations/, db/migrations/ …).
                # Point a `migrate` step at yours: rehearse's README.md tells the keys.
                # `rehearse lint \(scenarios)/` checks this file; `rehearse run \(scenarios)/` runs it.
                name: deploy
                description: A starter scenario; replace the SQL step with your deployment.
                repeat: 3
                steps:
                  - name: deploy
                    sql: "CREATE TABLE example (id bigint PRIMARY KEY, note text)"
                targets:
                  deploy: ["duration < 10s"]

                """
        }
        let up = Array(repeating: "..", count: scenarios.split(separator: "/").count).joined(separator: "/")
        let dir = up.isEmpty ? m.path : up + "/" + m.path
        var text = """
            # Written by `rehearse init` for the \(m.layout) migrations in \(m.path) (\(m.count) found).
            # `rehearse lint \(scenarios)/` checks this file; `rehearse run \(scenarios)/` runs it on a
            # disposable PostgreSQL. Add seed data, a workload beside the deploy, checks and targets:
            # rehearse's README.md tells the keys.
            name: deploy
            description: Every migration in \(m.path) applied to an empty database, timed, with the locks it takes.
            repeat: 3
            steps:

            """
        if m.reversible {
            text += """
                  - name: before-deploy
                    snapshot: before-deploy
                  - name: migrate
                    migrate: {dir: \(dir), verify_down: true}
                targets:
                  migrate: ["duration < 60s"]
                rollback:
                  when: always
                  via: down
                  to: before-deploy
                  verify: [schema]

                """
        } else {
            text += """
                  - name: migrate
                    migrate: {dir: \(dir)}
                targets:
                  migrate: ["duration < 60s"]

                """
        }
        return text
    }

    /// A pull request workflow that runs the scenarios with rehearse's action, beside the base branch.
    package static func workflow(scenarios: String, action: String) -> String {
        """
        # Written by `rehearse init`: rehearses each pull request's deployment beside the base
        # branch's (`rehearse ab`), puts the comparison in the step summary, the HTML report in
        # an artifact, and failures as annotations on the files that caused them.
        name: rehearse
        on:
          pull_request:
        permissions:
          contents: read
        jobs:
          rehearse:
            runs-on: ubuntu-24.04
            timeout-minutes: 60
            steps:
              - uses: actions/checkout@v4
              - name: Check out the base branch beside the pull request
                uses: actions/checkout@v4
                with:
                  ref: ${{ github.base_ref }}
                  path: base
              - uses: \(action)
                with:
                  scenarios: \(scenarios)
                  base-path: base
                  repeat: "5"

        """
    }
}
