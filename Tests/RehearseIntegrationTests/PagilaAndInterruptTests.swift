import Foundation
import PostgresClient
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseScenario
@testable import RehearseResults
@testable import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    @Suite("pg_dump files")
    struct PagilaAndInterruptTests {
        static let root = ScenarioSuiteTests.root
        static let pagila = Repository.pagila

        func temporaryScenario(_ yaml: String) throws -> URL {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-scn-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let file = dir.appendingPathComponent("scenario.yaml")
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            return file
        }

        @Test func loadsPagilaAsPsqlWould() async throws {
            let file = try temporaryScenario(
                """
                name: pagila
                steps:
                  - name: schema
                    sql: {file: \(Self.pagila.path)/pagila-schema.sql}
                  - name: data
                    sql: {file: \(Self.pagila.path)/pagila-data.sql}
                  - snapshot: loaded
                checks:
                  - {name: rentals, row_count: public.rental, expect: 16044}
                  - {name: films, query: "SELECT count(*) FROM film", expect: {">=": 1000}}
                  - name: payment_partition_constraint
                    query: "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (1, 1, 1, 1.0, '1999-01-01')"
                    expect_error: "23514"
                """)
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            let scenario = try ScenarioLoader.load(file: file)
            var options = ScenarioSuiteTests.options()
            options.writeResults = false
            let doc = try await ScenarioRunner.run(scenario, options: options)
            #expect(doc.verdict == .approved, "\(doc.reasons)")
            let data = try #require(doc.repetitions[0].steps.first { $0.name == "data" })
            #expect(data.batches > 15)
            #expect(data.rows > 40_000)
        }

        @Test func psqlMetaCommandIsAnErrorNamingTheLine() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-meta-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try "CREATE TABLE a (id int);\n\\set x 1\n".write(
                to: dir.appendingPathComponent("meta.sql"), atomically: false, encoding: .utf8)
            try "name: meta\nsteps: [{name: load, sql: {file: meta.sql}}]\nexpect: {verdict: blocked}\n".write(
                to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
            let doc = try await ScenarioRunner.run(
                try ScenarioLoader.load(file: dir.appendingPathComponent("s.yaml")), options: ScenarioSuiteTests.options())
            let step = try #require(doc.repetitions[0].steps.first)
            #expect(step.status == .failed)
            #expect(step.error?.message.contains("meta.sql:2:1") == true)
        }

    }
}
