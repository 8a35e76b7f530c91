import Foundation
import PostgresClient
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import TestSupport

extension TimedSuites {
    /// A seed sends chunks in binary COPY format when it can: the rows must be exactly the
    /// ones the server reads from the same CSV itself, chunks with values the encoder
    /// leaves to the server included.
    @Suite("Seed in binary COPY format")
    struct SeedBinaryTests {
        static let columns = "i2 smallint, i4 int, i8 bigint, t text, v varchar(5), c char(3), j json, jb jsonb, b bool, u uuid, e mood"

        /// Edge values of every type the encoder converts; two rows per chunk, and the
        /// third chunk holds values only the server reads (` 42`, `tr`, braces).
        static let csv = #"""
            i2,i4,i8,t,v,c,j,jb,b,u,e
            -32768,-2147483648,-9223372036854775808,"quoted, with ""quotes""",abc,ab,"{""a"": 1}","{""b"": [1, 2], ""a"": 0}",t,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,happy
            32767,2147483647,9223372036854775807,,,,,,,,
            +5,007,-0,"","  ",x,"null","null",TRUE,A0EEBC999C0B4EF8BB6D6BB9BD380A11,sad
            0,1,2,"two
            lines",héllo,ab   ,"[1,2]","{""a"":1,""a"":2}",off,00000000-0000-0000-0000-000000000000,happy
            1, 42 ,3,x,y,z,{},{},tr,{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11},sad
            2,3,4,✓ unicode ✓,"a,b",c,"""s""","""s""",1,ffffffff-ffff-ffff-ffff-ffffffffffff,happy
            3,4,5,last,v,c,"{""k"": ""v""}","{""k"": ""v""}",no,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,sad

            """#

        /// Seeds `csv` into `seeded` in chunks of `chunkRows`, has the server read the same
        /// file into `read` itself, and expects the two tables to hold the same rows.
        @discardableResult
        static func seedAndCompare(
            columns: String, csv: String, rows: Int, chunkRows: Int, streams: Int = 1, types: String = ""
        ) async throws -> StepResult {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-binary-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let data = dir.appendingPathComponent("all.csv")
            try csv.write(to: data, atomically: false, encoding: .utf8)
            // The server reads the file itself into `read`; the seed loads `seeded`.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            let yaml = """
                name: binary-seed
                steps:
                  - name: schema
                    sql: |
                      \(types)
                      CREATE TABLE seeded (\(columns));
                      CREATE TABLE read (\(columns));
                      COPY read FROM '\(data.path)' WITH (FORMAT csv, HEADER true)
                  - name: load
                    seed: {chunk_rows: \(chunkRows), tables: [{table: seeded, csv: all.csv, streams: \(streams)}]}
                checks:
                  - name: same rows
                    query: >-
                      SELECT (SELECT count(*) FROM seeded) || ' ' ||
                             (SELECT count(*) FROM (SELECT s::text FROM seeded s EXCEPT ALL SELECT r::text FROM read r) d) || ' ' ||
                             (SELECT count(*) FROM (SELECT r::text FROM read r EXCEPT ALL SELECT s::text FROM seeded s) d)
                    expect: "\(rows) 0 0"
                """
            let file = dir.appendingPathComponent("scenario.yaml")
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
            let load = try #require(doc.repetitions.first?.steps.first { $0.name == "load" })
            #expect(load.status == .ok, "\(String(describing: load.error))")
            #expect(load.rows == rows)
            #expect(doc.repetitions.first?.checks.allSatisfy(\.passed) == true, "\(doc.repetitions.first?.checks ?? [])")
            return load
        }

        @Test func loadsWhatTheServerReadsFromTheSameCSV() async throws {
            let load = try await Self.seedAndCompare(
                columns: Self.columns, csv: Self.csv, rows: 7, chunkRows: 2, types: "CREATE TYPE mood AS ENUM ('sad', 'happy');")
            #expect(load.batches == 4)
        }

        /// Numbers, dates and times (`BinaryCopyValue`); the third chunk's values are ones
        /// only the server reads (spaces, `NaN`, an exponent, a month's name, 24:00, infinity).
        @Test func numbersDatesAndTimesToo() async throws {
            let csv = #"""
                f4,f8,n,d,ts,tz
                1.5,0.1,12.345,2024-02-29,2024-02-29 23:59:59.999999,2024-02-29 23:59:59+05:30
                -3.4028235e38,1e-300,-0.005,0001-01-01,1970-01-01 00:00:00,2000-01-01T00:00:00Z
                ,,,,,
                3.14159,2.718281828459045,99999999.99,9999-12-31,2000-01-01 00:00:00.5,1999-12-31 19:00:00-05
                " 1.5",NaN,1e3,"January 1, 2020",2020-01-01 24:00:00,infinity
                1.005,-0,1.005,2000-01-01,2024-06-01 12:00:00,2024-06-01 12:00:00

                """#
            let load = try await Self.seedAndCompare(
                columns: "f4 real, f8 double precision, n numeric(10,2), d date, ts timestamp(3), tz timestamptz", csv: csv,
                rows: 6, chunkRows: 2)
            #expect(load.batches == 3)
        }

        /// A one-column file with a record that is exactly `\.`: PostgreSQL 15's CSV reader
        /// would end the data there and load none of the chunk's later rows, silently. Sent
        /// in binary (text) or quoted as CSV (`name`, which the encoder leaves to the server),
        /// every row arrives, `\.` as its two characters.
        @Test func anEndMarkerRecordLosesNoRows() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-marker-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try "v\na\n\\.\nb\nc\n".write(to: dir.appendingPathComponent("one.csv"), atomically: false, encoding: .utf8)
            let yaml = """
                name: end-marker
                steps:
                  - {name: schema, sql: "CREATE TABLE t (v text); CREATE TABLE n (v name)"}
                  - name: load
                    seed: [{table: t, csv: one.csv, streams: 1}, {table: n, csv: one.csv, streams: 1}]
                checks:
                  - {name: text, query: "SELECT string_agg(v, '|' ORDER BY v) FROM t", expect: "\\\\.|a|b|c"}
                  - {name: name, query: "SELECT string_agg(v::text, '|' ORDER BY v) FROM n", expect: "\\\\.|a|b|c"}
                """
            let file = dir.appendingPathComponent("scenario.yaml")
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
            let load = try #require(doc.repetitions.first?.steps.first { $0.name == "load" })
            #expect(load.status == .ok && load.rows == 8, "\(load.rows) rows: \(String(describing: load.error))")
            #expect(doc.repetitions.first?.checks.allSatisfy(\.passed) == true, "\(doc.repetitions.first?.checks ?? [])")
        }

        /// A file of more than 4 MB per stream is split as its streams go: quoted fields
        /// with newlines and CRLF line ends across the boundaries, and every row arrives as
        /// the server reads the file itself.
        @Test func aLargeFileSplitAsItsStreamsGo() async throws {
            var rows = ["id,note,score"]
            rows.reserveCapacity(150_001)
            let filler = String(repeating: "x", count: 40)
            for id in 1...150_000 {
                let note = id % 5 == 0 ? "\"line one, \(filler)\r\nline \"\"two\"\"\"" : "plain \(id) \(filler)"
                rows.append("\(id),\(note),\(id % 97)")
            }
            let csv = rows.joined(separator: "\r\n") + "\r\n"
            #expect(csv.utf8.count > 2 * Int(SeedPlan.autoBytesPerStream), "\(csv.utf8.count) bytes: too small to be split as it goes")
            let load = try await Self.seedAndCompare(
                columns: "id int PRIMARY KEY, note text, score int", csv: csv, rows: 150_000, chunkRows: 10_000, streams: 2)
            #expect(load.batches > 15, "each of the 16 ranges ends with a chunk of its own")
        }

        /// The encoder is chosen from the table's types: every column converted, or none.
        @Test func encoderOnlyWhenEveryColumnConverts() async throws {
            try await withTestServer { db in
                let c = try await db.connect()
                _ = try await c.execute(
                    """
                    CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE a (\(Self.columns)); CREATE TABLE n (id int, data bytea);
                    CREATE TABLE m (f4 real, f8 double precision, n numeric(10,2), d date, ts timestamp, tz timestamptz);
                    SET TimeZone = 'UTC'
                    """)
                let (all, some, times) = try await c.withSession { session in
                    (
                        try SeedPlan.binaryEncoder("a", header: ["e", "i8", "u"], session: session),
                        try SeedPlan.binaryEncoder("n", header: ["id", "data"], session: session),
                        try SeedPlan.binaryEncoder("m", header: ["f4", "f8", "n", "d", "ts", "tz"], session: session)
                    )
                }
                #expect(all?.columns == [.text, .int8, .uuid])
                #expect(times?.columns == [.float4, .float8, .numeric, .date, .timestamp, .timestamptz(utc: true)])
                #expect(some == nil, "bytea is not converted, so no column of its table is")
                await c.close()
            }
        }
    }
}
