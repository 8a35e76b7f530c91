import Foundation
import PostgresClient
import Testing
@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario

#if canImport(Glibc)
    import Glibc
#endif

extension TimedSuites {
    /// `streams` on a seed entry: the same rows loaded and skipped whatever the number of
    /// streams, and an interrupt in the middle of a parallel seed leaves nothing behind.
    @Suite("Parallel seed streams")
    struct SeedStreamTests {
        /// A parent table missing every seventh key, and children pointing at it: quoted
        /// notes with newlines, CRLF line ends, so that streams split inside them.
        static func files(children: Int) -> [String: String] {
            var parents = "id,name\n"
            for id in 1...1000 where id % 7 != 0 { parents += "\(id),parent \(id)\n" }
            var rows: [String] = ["id,parent_id,note"]
            rows.reserveCapacity(children + 1)
            for id in 1...children {
                let note = id % 3 == 0 ? "\"a note, with\nnewlines \"\"\(id)\"\"\"" : "plain \(id)"
                rows.append("\(id),\(id * 31 % 1000 + 1),\(note)")
            }
            return ["parents.csv": parents, "children.csv": rows.joined(separator: "\r\n") + "\r\n"]
        }

        static func scenario(streams: String) -> String {
            """
            name: streams-\(streams)
            steps:
              - name: schema
                sql: |
                  CREATE TABLE parents (id int PRIMARY KEY, name text NOT NULL);
                  CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parents, note text)
              - name: load
                seed:
                  on_missing_reference: skip
                  chunk_rows: 700
                  tables:
                    - {table: parents, csv: parents.csv}
                    - {table: children, csv: children.csv, streams: \(streams)}
            faults:
              - missing_seed: {table: children, fraction: 5%, random_seed: 7}
            checks:
              - name: loaded
                query: "SELECT count(*) || ' ' || md5(string_agg(id || ':' || parent_id || ':' || note, ',' ORDER BY id)) FROM children"
                expect: "?"
            """
        }

        static func run(streams: String, children: Int) async throws -> ResultsDocument {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-streams-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            for (name, text) in files(children: children) {
                try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8)
            }
            let file = dir.appendingPathComponent("scenario.yaml")
            try scenario(streams: streams).write(to: file, atomically: false, encoding: .utf8)
            return try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
        }

        @Test func oneAndFourStreamsLoadAndSkipTheSameRows() async throws {
            let children = 20_000
            let one = try await Self.run(streams: "1", children: children)
            let four = try await Self.run(streams: "4", children: children)
            // What the data decides: a 5% fraction left out by row number, then every child
            // of a missing parent skipped.
            let filter = try MissingSeedFilter(
                fault: MissingSeedFault(table: "children", selection: .fraction(0.05, randomSeed: 7)), header: ["id", "parent_id", "note"],
                rowCount: children)
            let kept = (1...children).filter { !filter.removes(rowIndex: $0 - 1, fields: { [] }) }
            let skipped = kept.filter { ($0 * 31 % 1000 + 1) % 7 == 0 }
            for doc in [one, four] {
                let load = try #require(doc.repetitions.first?.steps.first { $0.name == "load" })
                #expect(load.status == .ok, "\(String(describing: load.error))")
                #expect(load.rowsSkipped == skipped.count)
                #expect(load.rows == 1000 - 142 + kept.count - skipped.count)
                #expect(load.skippedRows == skipped.prefix(20).map(String.init))
                let fault = try #require(doc.repetitions.first?.faults.first { $0.kind == "missing_seed" })
                #expect(fault.observed["rows_removed"] == .number(Double(children - kept.count)))
            }
            let loaded = { (doc: ResultsDocument) in doc.repetitions.first?.checks.first { $0.name == "loaded" }?.actual }
            #expect(loaded(one) != nil)
            #expect(loaded(one) == loaded(four))
            #expect(loaded(one).map { "\($0)".contains("\(kept.count - skipped.count) ") } == true, "\(String(describing: loaded(one)))")
            // Four streams ran: more connections than one, each chunk its own batch.
            let batchesOne = one.repetitions[0].steps.first { $0.name == "load" }?.batches ?? 0
            let batchesFour = four.repetitions[0].steps.first { $0.name == "load" }?.batches ?? 0
            #expect(batchesFour > batchesOne, "each of four streams ends with a partial chunk")
        }

        /// Independent tables load at the same time; a child waits for its parent, so the
        /// rows it skips are the data's (the children of the one parent left out).
        @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "tables load together on 2 cores or more"))
        func independentTablesTogetherChildrenAfterTheirParents() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-tables-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            var parents = "id,name\n"
            for id in 1...300_000 { parents += "\(id),parent \(id)\n" }
            var others = "id,v\n"
            for id in 1...20_000 { others += "\(id),\"other, \(id)\"\n" }
            var children = "id,parent_id\n"
            for id in 1...100_000 { children += "\(id),\(id % 20_000 + 1)\n" }
            for (name, text) in ["parents.csv": parents, "others.csv": others, "children.csv": children] {
                try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8)
            }
            let file = dir.appendingPathComponent("scenario.yaml")
            try """
            name: tables-together
            steps:
              - name: schema
                sql: |
                  CREATE TABLE parents (id int PRIMARY KEY, name text);
                  CREATE TABLE others (id int PRIMARY KEY, v text);
                  CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parents)
              - name: load
                seed:
                  streams: auto
                  on_missing_reference: skip
                  tables:
                    - {table: parents, csv: parents.csv}
                    - {table: others, csv: others.csv}
                    - {table: children, csv: children.csv}
            faults:
              - missing_seed: {table: parents, column: id, values: ["7"]}
              - missing_seed: {table: others, column: id, values: ["1"]}
              - missing_seed: {table: children, column: id, values: ["1"]}
            checks:
              - {name: children, row_count: children, expect: 99994}
              - {name: others, row_count: others, expect: 19999}
            """.write(to: file, atomically: false, encoding: .utf8)
            let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
            let load = try #require(doc.repetitions.first?.steps.first { $0.name == "load" })
            #expect(load.status == .ok, "\(String(describing: load.error))")
            #expect(load.rowsSkipped == 5, "the five children of parent 7")
            #expect(doc.repetitions.first?.checks.allSatisfy(\.passed) == true, "\(doc.repetitions.first?.checks ?? [])")
            let window = { (table: String) -> (Double, Double)? in
                guard let fault = doc.repetitions.first?.faults.first(where: { $0.target == table }),
                    let start = fault.startedMs, let end = fault.endedMs
                else { return nil }
                return (start, end)
            }
            let p = try #require(window("parents"))
            let o = try #require(window("others"))
            let c = try #require(window("children"))
            #expect(p.0 < o.1 && o.0 < p.1, "parents \(p) and others \(o) did not load together")
            #expect(c.0 >= p.1, "children \(c) started before their parents \(p) ended")
        }

        /// A chunk the server refuses fails the step with its SQLSTATE and the file lines it
        /// held; the other streams stop after their chunk.
        @Test func aRefusedChunkNamesItsLines() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-refused-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            var rows = "id,score\n"
            for id in 1...100_000 { rows += id == 60_000 ? "\(id),not-a-number\n" : "\(id),\(id % 100)\n" }
            try rows.write(to: dir.appendingPathComponent("t.csv"), atomically: false, encoding: .utf8)
            let file = dir.appendingPathComponent("scenario.yaml")
            try """
            name: refused
            steps:
              - {name: schema, sql: "CREATE TABLE t (id int PRIMARY KEY, score int)"}
              - name: load
                seed: [{table: t, csv: t.csv, streams: 4, chunk_rows: 1000}]
            """.write(to: file, atomically: false, encoding: .utf8)
            let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
            let load = try #require(doc.repetitions.first?.steps.first { $0.name == "load" })
            #expect(load.status == .failed)
            #expect(load.error?.sqlstate == "22P02", "\(String(describing: load.error))")
            let message = load.error?.message ?? ""
            let lines = try #require(message.firstMatch(of: /t\.csv, lines (\d+)–(\d+)\)/), "\(message)")
            let (first, last) = (Int(lines.1)!, Int(lines.2)!)
            #expect(first <= 60_001 && 60_001 <= last && last - first < 1000, "\(message)")
            #expect(load.rows < 100_000)
        }
    }
}
