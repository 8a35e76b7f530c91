import Foundation
import Testing

@testable import RehearseResults
@testable import RehearseSupport

extension ResultsFileErrorTests {
    @Test func badResultsFilesNameFileAndPosition() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.json")
        try "{\n  \"schema_version\": 1,\n  \"scenario\": 5\n}".write(to: file, atomically: false, encoding: .utf8)
        do {
            _ = try ResultsLoader.load(file.path)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("bad.json:"))
        }
        #expect(throws: RehearseError.self) { try ResultsLoader.load(dir.appendingPathComponent("missing").path) }
    }
}
