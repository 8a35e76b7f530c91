import Foundation
import TestSupport
import Testing
@testable import RehearseEngine
@testable import RehearseResults


extension TimedSuites.ReliabilityTests {
    /// A step memory cap that cannot be set up (no run folder can be made for its group:
    /// the folder for runs is under a plain file) is never reported as applied. Required,
    /// the run ends as an infrastructure error naming why (exit 3) and the command does
    /// not run; with `required: false` the step runs uncapped and the fault says why not.
    @Test(arguments: [true, false])
    func aStepMemoryCapThatCannotBeSetUp(required: Bool) async throws {
        try await withTestServer { db in
            let file = try scenario(
                """
                name: cap-cannot-be-set
                steps:
                  - name: load
                    run: ["sh", "-c", "echo loaded > \\"$MARK\\""]
                  - {name: after, sql: "SELECT 1"}
                faults:
                  - memory_cap: {step: load, limit: 256MB\(required ? "" : ", required: false")}
                """)
            let dir = file.deletingLastPathComponent()
            defer { try? FileManager.default.removeItem(at: dir) }
            let blocker = dir.appendingPathComponent("not-a-folder")
            try "".write(to: blocker, atomically: false, encoding: .utf8)
            let mark = dir.appendingPathComponent("ran")
            let out = dir.appendingPathComponent("results")
            let (code, output) = try await rehearse(
                ["run", file.path, "--server", db.server.conninfo(database: "postgres"), "--out", out.path],
                environment: ["REHEARSE_RUN_DIR": blocker.appendingPathComponent("runs").path, "MARK": mark.path])
            if required {
                #expect(code == 3, "\(output)")
                #expect(output.contains("memory_cap on step load cannot be enforced"), "\(output)")
                #expect(output.contains("not-a-folder"), "the reason names the folder: \(output)")
                #expect(!FileManager.default.fileExists(atPath: mark.path), "the command ran without its cap")
                return
            }
            #expect(code == 0, "\(output)")
            #expect(FileManager.default.fileExists(atPath: mark.path))
            let files = FileManager.default.enumerator(atPath: out.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
            let path = try #require(files?.first)
            let document = try ResultsCoding.decoder().decode(
                ResultsDocument.self, from: Data(contentsOf: out.appendingPathComponent(path)))
            let fault = try #require(document.repetitions.first?.faults.first { $0.kind == "memory_cap" })
            #expect(!fault.applied)
            #expect(fault.enforcement == nil)
            #expect(fault.reason?.contains("not-a-folder") == true, "\(String(describing: fault.reason))")
            #expect(document.repetitions.first?.steps.map(\.status) == [.ok, .ok])
        }
    }
}
