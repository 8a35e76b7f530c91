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

        @Test func loadsWhatTheServerReadsFromTheSameCSV() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-binary-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let data = dir.appendingPathComponent("all.csv")
            try Self.csv.write(to: data, atomically: false, encoding: .utf8)
            // The server reads the file itself into `read`; the seed loads `seeded`.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            let yaml = """
                name: binary-seed
                steps:
                  - name: schema
                    sql: |
                      CREATE TYPE mood AS ENUM ('sad', 'happy');
                      CREATE TABLE seeded (\(Self.columns));
                      CREATE TABLE read (\(Self.columns));
                      COPY read FROM '\(data.path)' WITH (FORMAT csv, HEADER true)
                  - name: load
                    seed: {chunk_rows: 2, tables: [{table: seeded, csv: all.csv, streams: 1}]}
                checks:
                  - name: same rows
                    query: >-
                      SELECT (SELECT count(*) FROM seeded) || ' ' ||
                             (SELECT count(*) FROM (SELECT s::text FROM seeded s EXCEPT ALL SELECT r::text FROM read r) d) || ' ' ||
                             (SELECT count(*) FROM (SELECT r::text FROM read r EXCEPT ALL SELECT s::text FROM seeded s) d)
                    expect: "7 0 0"
                """
            let file = dir.appendingPathComponent("scenario.yaml")
            try yaml.write(to: file, atomically: false, encoding: .utf8)
            let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: ScenarioSuiteTests.options())
            let load = try #require(doc.repetitions.first?.steps.first { $0.name == "load" })
            #expect(load.status == .ok, "\(String(describing: load.error))")
            #expect(load.rows == 7)
            #expect(load.batches == 4)
            #expect(doc.repetitions.first?.checks.allSatisfy(\.passed) == true, "\(doc.repetitions.first?.checks ?? [])")
        }

        /// The encoder is chosen from the table's types: every column converted, or none.
        @Test func encoderOnlyWhenEveryColumnConverts() async throws {
            try await withTestServer { db in
                let c = try await db.connect()
                _ = try await c.execute(
                    "CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE a (\(Self.columns)); CREATE TABLE n (id int, data bytea)")
                let (all, some) = try await c.withSession { session in
                    (
                        try SeedPlan.binaryEncoder("a", header: ["e", "i8", "u"], session: session),
                        try SeedPlan.binaryEncoder("n", header: ["id", "data"], session: session)
                    )
                }
                #expect(all?.columns == [.text, .int8, .uuid])
                #expect(some == nil, "bytea is not converted, so no column of its table is")
                await c.close()
            }
        }
    }
}
