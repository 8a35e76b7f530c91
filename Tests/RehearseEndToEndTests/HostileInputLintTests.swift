import Foundation
import TestBasics
import Testing

@testable import RehearseEngine

/// The built binary's `lint` on the hostile corpus of the unit tests (Fixtures/hostile:
/// absurd numbers, alias bombs), every file of which HostileInputTests checks alone.
@Suite("Hostile input: lint")
struct HostileInputLintTests {
    static let folder = Repository.root.appendingPathComponent("Tests/RehearseUnitTests/Fixtures/hostile")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// The built binary on the whole folder: exit 2 and every file's position, where it trapped
    /// (exit 132) or ran for good. `timeout` only bounds a hang (exit 124); Benchmarks/hostile-lint.sh
    /// measures the speed.
    @Test func lintOfTheFolderExitsTwoNamingEveryFile() async throws {
        let binary = Repository.rehearseBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first")
        let (termination, output) = try await ChildProcess.run(["timeout", "60", binary.path, "lint", Self.folder.path])
        #expect(termination.exitCode == 2, "\(output)")
        for name in Self.files {
            #expect(output.contains("\(name):"), "\(name) missing from:\n\(output)")
        }
    }
}
