import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseScenario


#if canImport(Glibc)
    import Glibc
#endif

/// The corpus of invalid scenarios: each file's first line says where the error is
/// (`# expect: LINE:COLUMN message fragment`), and lint must say exactly that.
@Suite("Invalid scenario corpus")
struct InvalidScenarioTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/invalid")

    static var files: [String] { yamlFiles(in: folder) }

    static func yamlFiles(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func corpusIsLargeEnough() {
        #expect(Self.files.count >= 20)
    }

    @Test(arguments: files)
    func reportsPosition(_ name: String) throws {
        try Self.expectLintReportsFirstLine(of: Self.folder.appendingPathComponent(name))
    }

    /// Lint must report what the file's first line (`# expect: LINE:COLUMN fragment`) says.
    static func expectLintReportsFirstLine(of url: URL) throws {
        let name = url.lastPathComponent
        let text = try String(contentsOf: url, encoding: .utf8)
        var line = 1
        var column = 1
        var fragment = "empty scenario"
        if let first = text.split(separator: "\n").first, first.hasPrefix("# expect: ") {
            let spec = first.dropFirst("# expect: ".count)
            let parts = spec.split(separator: " ", maxSplits: 1)
            let position = parts[0].split(separator: ":")
            line = Int(position[0])!
            column = Int(position[1])!
            fragment = String(parts[1])
        }
        let errors = ScenarioLinter.lint(file: url)
        #expect(!errors.isEmpty, "\(name) should be invalid")
        let match = errors.first { $0.line == line && $0.column == column && $0.message.contains(fragment) }
        #expect(match != nil, "\(name): wanted \(line):\(column) \(fragment), got \(errors.map(\.description))")
    }

    @Test func binaryGarbageIsInvalidWithAPosition() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-garbage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("garbage.yaml")
        var bytes = Array("name: x\nsteps: []\n".utf8)
        bytes += [0xFF, 0xFE, 0x00, 0x81, 0x9F]
        try Data(bytes).write(to: file)
        let errors = ScenarioLinter.lint(file: file)
        #expect(errors.count == 1)
        #expect(errors.first?.line == 3)
        #expect(errors.first?.message.contains("UTF-8") == true)
    }

    /// A FIFO passed the existence check, and a run blocked or failed reading it; lint must refuse it
    /// without opening it (opening a FIFO with no writer would block lint too).
    @Test func sqlFileThatIsAFIFOIsInvalid() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(mkfifo(dir.appendingPathComponent("pipe.sql").path, 0o600) == 0)
        let file = dir.appendingPathComponent("fifo.yaml")
        try "name: fifo\nsteps: [{sql: {file: pipe.sql}}]\n".write(to: file, atomically: false, encoding: .utf8)
        let errors = ScenarioLinter.lint(file: file)
        #expect(errors.count == 1)
        #expect(errors.first?.line == 2)
        #expect(errors.first?.column == 22)
        #expect(errors.first?.message.contains("'pipe.sql' is not a regular file (a FIFO)") == true, "\(errors)")
    }

    @Test func deepNestingIsRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-deep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("deep.yaml")
        try ("name: deep\nsteps: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n")
            .write(to: file, atomically: false, encoding: .utf8)
        let errors = ScenarioLinter.lint(file: file)
        #expect(errors.contains { $0.message.contains("nesting deeper") })
    }

    @Test func lintReportsEveryProblemNotJustTheFirst() throws {
        let errors = ScenarioLinter.lint(file: Self.folder.appendingPathComponent("typo-in-backfill.yaml"))
        #expect(errors.count == 1)
        let yaml = """
            name: many
            steps:
              - {sql: "SELECT 1", bogus: 1}
            targets:
              nope: ["p95 < 1s"]
            """
        do {
            _ = try ScenarioLoader.load(yaml: yaml, file: URL(fileURLWithPath: "/tmp/many.yaml"))
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.count == 2)
        }
    }
}
