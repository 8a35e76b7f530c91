import Foundation
import TestBasics
import Testing

@testable import RehearseEngine

/// The Python tools of `scripts/python-tools.txt` (reference parsers and validators from PyPI),
/// installed by `scripts/python-tools.sh` in a venv outside the repository on first use.
enum PythonTools {
    /// The venv's `python`; without it a test is cancelled (shown as skipped), except in CI
    /// (`CI` set), where a missing tool is a failure: CI must prove what the test checks.
    static func python() async throws -> URL {
        let script = Repository.root.appendingPathComponent("scripts/python-tools.sh").path
        let (termination, output) = try await ChildProcess.run([script])
        let bin = output.split(separator: "\n").last.map(String.init) ?? ""
        let python = URL(fileURLWithPath: bin).appendingPathComponent("python")
        if termination.succeeded && FileManager.default.isExecutableFile(atPath: python.path) { return python }
        let problem = "scripts/python-tools.sh could not install the Python tools: \(output)"
        if !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty { throw Missing(description: problem) }
        try Test.cancel(Comment(rawValue: problem))
    }

    struct Missing: Error, CustomStringConvertible { var description: String }

    /// Runs `code` with the venv's python and `arguments`; returns its exit code and output.
    static func run(_ code: String, _ arguments: [String]) async throws -> (Int32, String) {
        let python = try await python()
        let (termination, output) = try await ChildProcess.run([python.path, "-c", code] + arguments)
        return (termination.exitCode, output)
    }
}
