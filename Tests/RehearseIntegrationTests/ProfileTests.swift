import Foundation
import PostgresClient
import TestBasics
import TestSupport
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseSQL
@testable import RehearseScenario
@testable import RehearseSupport

/// `rehearse profile` on real servers: what it reads of pagila, and what `--redact` leaves out.
@Suite("Profile of a real database", .enabled(if: Repository.hasPagila, "needs the pagila dump (REHEARSE_PAGILA_DIR)"))
struct ProfileTests {
    /// A server holding pagila (schema and data, analyzed) in database `pagila`; the caller stops it.
    static func pagilaServer() async throws -> TestServer {
        let server = try await TestServer.start()
        do {
            let admin = try await server.connect()
            _ = try await admin.execute("CREATE DATABASE pagila")
            await admin.close()
            let connection = try await server.connect("pagila")
            for file in ["pagila-schema.sql", "pagila-data.sql"] {
                let text = try String(contentsOf: Repository.pagila.appendingPathComponent(file), encoding: .utf8)
                let items = try SQLScript.parse(text)
                let measurement = try await connection.withSession { SQLStep.run(items, label: file, session: $0) }
                #expect(measurement.failure == nil, "\(file): \(String(describing: measurement.failure))")
            }
            _ = try await connection.execute("ANALYZE")
            await connection.close()
            return server
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Runs `body` with `pagilaServer()` and stops the server before it returns, whether `body` returns or throws.
    static func withPagilaServer(_ body: (TestServer) async throws -> Void) async throws {
        let server = try await pagilaServer()
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func profile(_ server: TestServer, tables: [String]? = nil, redact: Bool = false) async throws -> Profile {
        try await ProfileTaker.take(url: server.server.conninfo(database: "pagila"), tables: tables, redact: redact).profile
    }

    @Test func readsPagilasShapesAndKeys() async throws {
        try await Self.withPagilaServer { server in
            let profile = try await Self.profile(server)
            #expect(profile.profileVersion == 1 && !profile.redacted)
            #expect(profile.source.database == "pagila" && profile.source.serverVersion.first?.isNumber == true)
            let rental = try #require(profile.table(named: "rental"))
            #expect(rental.rows == 16044 && rental.analyzed && rental.pages > 0)
            #expect(rental.primaryKey == ["rental_id"])
            #expect(rental.unique.contains(["rental_date", "inventory_id", "customer_id"]))
            #expect(Set(rental.foreignKeys.map(\.references.table)) == ["customer", "inventory", "staff"])
            let returnDate = try #require(rental.column("return_date")?.stats)
            #expect(returnDate.nullFrac > 0.005 && returnDate.nullFrac < 0.02)  // 183 of 16044 rentals not returned
            let rentalID = try #require(rental.column("rental_id"))
            #expect(rentalID.kind == .integer && rentalID.notNull && rentalID.stats?.nDistinct == -1)
            #expect(rentalID.stats?.histogramBounds?.first == "1")
            let staff = try #require(rental.column("staff_id")?.stats)
            #expect(staff.mostCommonVals?.count == 2 && abs((staff.mostCommonFreqs ?? []).reduce(0, +) - 1) < 0.001)

            let film = try #require(profile.table(named: "public.film"))
            let rating = try #require(film.column("rating"))
            #expect(rating.kind == .enum && rating.enumLabels == ["G", "PG", "PG-13", "R", "NC-17"])
            #expect(film.column("release_year")?.kind == .integer)  // domain `year` over integer
            #expect(film.column("special_features")?.stats?.histogramBounds == nil)  // an array: no statistics kept
            #expect(film.column("fulltext")?.kind == .other)
            #expect(profile.table(named: "payment_p2022_01")?.rows == 723)  // a partition is a table of its own

            // Only the tables asked for; one that is not there is invalid input.
            let two = try await Self.profile(server, tables: ["actor", "public.language"])
            #expect(two.tables.map(\.name) == ["actor", "language"])
            let refused = await #expect(throws: RehearseError.self) { try await Self.profile(server, tables: ["no_such_table"]) }
            #expect(refused.map { if case .invalidInput = $0 { true } else { false } } == true, "\(String(describing: refused))")
        }
    }

    @Test func redactedProfileHoldsNoRowValue() async throws {
        try await Self.withPagilaServer { server in
            let full = try await Self.profile(server)
            let redacted = try await Self.profile(server, redact: true)
            #expect(redacted.redacted)
            let text = String(decoding: try ProfileFile.encode(redacted), as: UTF8.self)
            var values = Set<String>()
            for table in full.tables {
                for column in table.columns where column.kind != .enum && column.kind != .boolean {
                    values.formUnion(column.stats?.mostCommonVals ?? [])
                    values.formUnion(column.stats?.histogramBounds ?? [])
                }
            }
            #expect(values.count > 500)
            let left = values.filter { text.contains("\"\($0)\"") }
            #expect(left.isEmpty, "row values in the redacted profile: \(left.prefix(10))")
            // The shapes are all there.
            for (a, b) in zip(full.tables, redacted.tables) {
                #expect(a.rows == b.rows && a.primaryKey == b.primaryKey && a.foreignKeys == b.foreignKeys && a.checks == b.checks)
                for (x, y) in zip(a.columns, b.columns) {
                    #expect(x.stats?.nullFrac == y.stats?.nullFrac && x.stats?.nDistinct == y.stats?.nDistinct)
                    #expect(x.stats?.mostCommonFreqs == y.stats?.mostCommonFreqs && x.stats?.correlation == y.stats?.correlation)
                    #expect(x.stats?.histogramBounds?.count == y.stats?.histogramSize)
                }
            }
        }
    }
}

extension ProfileTests {
    /// Pagila's own profile rebuilds every pagila table (foreign keys, the partitions' bounds,
    /// the `year` domain, enum columns) with the profile's row counts.
    @Test func pagilaRebuildsFromItsProfile() async throws {
        let server = try await Self.pagilaServer()
        let profile: Profile
        do { profile = try await Self.profile(server, redact: true) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-pagila-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try ProfileFile.encode(profile).write(to: dir.appendingPathComponent("pagila.json"))
        let file = dir.appendingPathComponent("pagila.yaml")
        try """
        name: pagila-shaped
        data: {profile: pagila.json}
        steps:
          - name: schema
            sql: {file: \(Repository.pagila.path)/pagila-schema.sql}
          - name: data
            synthesize: {seed: 3}
        checks:
          - {name: rentals, row_count: public.rental, expect: 16044}
        """.write(to: file, atomically: false, encoding: .utf8)
        var options = RunOptions()
        options.writeResults = false
        let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: options)
        #expect(doc.verdict == .approved, "\(doc.reasons)")
        let tables = try #require(doc.repetitions.first?.steps.last?.tables)
        #expect(tables.count == profile.tables.count)
        for table in profile.tables {
            #expect(tables[table.name]?.rows == Int(table.rows), "\(table.name): \(String(describing: tables[table.name]))")
        }
    }
}
