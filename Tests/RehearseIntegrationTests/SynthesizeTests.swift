import Foundation
import PostgresClient
import TestSupport
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport

/// `synthesize` on real servers: a profile of a table of known shapes (skewed most
/// common values, 10% NULLs, unique columns, a foreign key with uneven fan-out, a
/// correlated timestamp, a check), rebuilt at a fifth of its size.
///
/// Tolerances (stated here and in README): row counts exact; null fractions within
/// 0.01; distinct counts within 10%; the summed frequency of the most common values
/// within 0.03; the correlated timestamp's correlation above 0.9; every other
/// correlation within 0.2; no orphan child row.
@Suite("Synthesize from a profile")
struct SynthesizeTests {
    static let schema = """
        CREATE TYPE lead_status AS ENUM ('new', 'contacted', 'won', 'lost');
        CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, region text);
        CREATE TABLE leads (
            id bigserial PRIMARY KEY,
            account_id bigint NOT NULL REFERENCES accounts (id),
            email text UNIQUE,
            phone varchar(20),
            status lead_status NOT NULL,
            score integer CHECK (score >= 0 AND score <= 100),
            amount numeric(10, 2),
            created_at timestamptz NOT NULL,
            active boolean NOT NULL,
            token uuid,
            meta jsonb,
            country text
        );
        """

    /// 2,000 accounts, 100,000 leads; fan-out skewed towards the first accounts.
    static let data = """
        SELECT setseed(0.17);
        INSERT INTO accounts (name, region)
        SELECT 'account ' || i, CASE WHEN random() < 0.3 THEN NULL ELSE (ARRAY['emea', 'amer', 'apac'])[1 + floor(random() * 3)::int] END
        FROM generate_series(1, 2000) AS i;
        INSERT INTO leads (account_id, email, phone, status, score, amount, created_at, active, token, meta, country)
        SELECT 1 + floor(2000 * random() ^ 3)::bigint,
               'user' || i || '@example.com',
               CASE WHEN random() < 0.1 THEN NULL ELSE '555-' || lpad(floor(random() * 10000)::text, 4, '0') END,
               (ARRAY['new', 'new', 'new', 'new', 'new', 'new', 'contacted', 'contacted', 'won', 'lost'])[1 + floor(random() * 10)::int]::lead_status,
               floor(random() * 101)::int,
               round((random() * 5000)::numeric, 2),
               TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute' + floor(random() * 30) * INTERVAL '1 second',
               random() < 0.8,
               gen_random_uuid(),
               jsonb_build_object('k', i % 50),
               (ARRAY['US', 'DE', 'FR', 'JP', 'BR'])[1 + floor(5 * random() ^ 2)::int]
        FROM generate_series(1, 100000) AS i;
        -- ANALYZE samples 300 rows per unit of the largest statistics target: 400 on one column
        -- makes its sample (120,000) cover all 100,000 leads, so the profile is the same on
        -- every run. A sampled profile made the tolerances below fail now and then.
        ALTER TABLE leads ALTER COLUMN id SET STATISTICS 400;
        ANALYZE accounts, leads;
        """

    /// The source database's profile, redacted or not, written to a folder with a scenario that rebuilds it.
    static func profiled(redact: Bool) async throws -> (Profile, URL) {
        let server = try await TestServer.start()
        do {
            let admin = try await server.connect()
            _ = try await admin.execute("CREATE DATABASE source")
            await admin.close()
            let connection = try await server.connect("source")
            _ = try await connection.execute(schema + data)
            await connection.close()
            let outcome = try await ProfileTaker.take(url: server.server.conninfo(database: "source"), tables: nil, redact: redact)
            await server.stop()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-synth-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try ProfileFile.encode(outcome.profile).write(to: dir.appendingPathComponent("profile.json"))
            return (outcome.profile, dir)
        } catch {
            await server.stop()
            throw error
        }
    }

    static func run(in dir: URL, scale: Double, seed: Int) async throws -> ResultsDocument {
        let indented = schema.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        let yaml = """
            name: synthesize-leads
            data: {profile: profile.json}
            steps:
              - name: schema
                sql: |
            \(indented)
              - name: data
                synthesize: {scale: \(scale), seed: \(seed)}
            checks:
              - {name: orphans, query: "SELECT count(*) FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE a.id IS NULL", expect: 0}
              - {name: fingerprint, query: "SELECT ('x' || left(md5(string_agg(l::text, ',' ORDER BY id)), 12))::bit(48)::bigint FROM leads l", expect: {">=": 0}}
              - {name: next_id, query: "INSERT INTO accounts (name) VALUES ('after') RETURNING id", expect: {">": 0}}
            """
        let file = dir.appendingPathComponent("scenario-\(seed).yaml")
        try yaml.write(to: file, atomically: false, encoding: .utf8)
        var options = RunOptions()
        options.writeResults = false
        options.stepTimeout = .seconds(300)
        return try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: options)
    }

    static func synthesized(_ doc: ResultsDocument) throws -> [String: SynthesizedTable] {
        let step = try #require(doc.repetitions.first?.steps.first { $0.name == "data" })
        #expect(step.status == .ok, "\(String(describing: step.error))")
        return try #require(step.tables)
    }

    /// Every shape of the profile within the stated tolerances.
    static func expectShapes(_ tables: [String: SynthesizedTable], profile: Profile, label: String) throws {
        let leads = try #require(tables["leads"])
        let accounts = try #require(tables["accounts"])
        #expect(leads.rows == 20000 && accounts.rows == 400, "\(label): rows \(leads.rows), \(accounts.rows)")
        #expect(leads.regenerated == 0)
        for table in [leads, accounts] {
            let f = try #require(table.fidelity)
            for (column, pair) in f.nullFrac { #expect(abs(pair[0] - pair[1]) <= 0.01, "\(label) null_frac \(column): \(pair)") }
            for (column, pair) in f.nDistinct {
                #expect(abs(pair[0] - pair[1]) <= 0.1 * max(pair[0], 10), "\(label) n_distinct \(column): \(pair)")
            }
            for (column, pair) in f.mostCommonFreqs {
                #expect(abs(pair[0] - pair[1]) <= 0.03, "\(label) most_common_freqs \(column): \(pair)")
            }
            for (column, pair) in f.correlation where column != "created_at" {
                #expect(abs(pair[0] - pair[1]) <= 0.2, "\(label) correlation \(column): \(pair)")
            }
        }
        let f = try #require(leads.fidelity)
        #expect((f.correlation["created_at"]?[1] ?? 0) > 0.9, "\(label): \(String(describing: f.correlation["created_at"]))")
        #expect(abs((f.nullFrac["phone"]?[1] ?? 0) - 0.1) <= 0.01)
        // The fan-out: the most referenced accounts take the profile's share of the leads.
        #expect(f.mostCommonFreqs["account_id"] != nil)
        #expect(f.nDistinct["email"]?[1] == 20000)
    }

    @Test func redactedProfileRebuildsTheShapesAtAFifth() async throws {
        let (profile, dir) = try await Self.profiled(redact: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(profile.redacted)
        let doc = try await Self.run(in: dir, scale: 0.2, seed: 7)
        #expect(doc.verdict == .approved, "\(doc.reasons)")
        try Self.expectShapes(try Self.synthesized(doc), profile: profile, label: "redacted")
        let checks = try #require(doc.repetitions.first?.checks)
        #expect(checks.first { $0.name == "orphans" }?.passed == true)
        #expect(checks.first { $0.name == "next_id" }?.actual == .number(401))  // the serial continues past the generated ids
    }

    /// At full size the leads (100,000 rows) are large enough to be split over the step's
    /// sessions: one statement per slice, and what a split could change holds: the rows, the
    /// physical order (the slices are taken in order, so the rows land about where one statement
    /// puts them and the timestamp keeps its correlation), NULLs, unique values, references.
    /// (Most-common-value frequencies are not compared here: at 100,000 rows ANALYZE samples,
    /// and finds no list for a column of 101 equally common values that the source's full scan had.)
    @Test func aLargeTableSplitOverSessionsKeepsItsShapes() async throws {
        let (_, dir) = try await Self.profiled(redact: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = try await Self.run(in: dir, scale: 1, seed: 7)
        #expect(doc.verdict == .approved, "\(doc.reasons)")
        let leads = try #require(try Self.synthesized(doc)["leads"])
        #expect(leads.rows == 100_000 && leads.regenerated == 0, "\(leads.rows) \(leads.regenerated)")
        let f = try #require(leads.fidelity)
        #expect((f.correlation["created_at"]?[1] ?? 0) > 0.9, "\(String(describing: f.correlation["created_at"]))")
        for (column, pair) in f.correlation where column != "created_at" {
            #expect(abs(pair[0] - pair[1]) <= 0.2, "correlation \(column): \(pair)")
        }
        for (column, pair) in f.nullFrac { #expect(abs(pair[0] - pair[1]) <= 0.01, "null_frac \(column): \(pair)") }
        #expect(f.nDistinct["email"]?[1] == 100_000)
        let step = try #require(doc.repetitions.first?.steps.first { $0.name == "data" })
        let sessions = min(4, ProcessInfo.processInfo.activeProcessorCount)
        // One statement for the accounts; the leads in slices when there is more than one core.
        let slices = sessions * Synthesize.slicesPerSession
        #expect(step.batches == (sessions > 1 ? 1 + slices : 2), "\(step.batches)")
        #expect(doc.repetitions.first?.checks.first { $0.name == "orphans" }?.passed == true)
    }

    @Test func sameSeedSameRowsAndUnredactedShapes() async throws {
        let (profile, dir) = try await Self.profiled(redact: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await Self.run(in: dir, scale: 0.2, seed: 7)
        let again = try await Self.run(in: dir, scale: 0.2, seed: 7)
        let other = try await Self.run(in: dir, scale: 0.2, seed: 8)
        try Self.expectShapes(try Self.synthesized(first), profile: profile, label: "unredacted")
        func fingerprint(_ doc: ResultsDocument) -> JSONValue? { doc.repetitions.first?.checks.first { $0.name == "fingerprint" }?.actual }
        #expect(fingerprint(first) != nil && fingerprint(first) != .null)
        #expect(fingerprint(first) == fingerprint(again))
        #expect(fingerprint(first) != fingerprint(other))
        // Values come from the profile: the most common country is the source's.
        let country = try #require(profile.table(named: "leads")?.column("country")?.stats?.mostCommonVals)
        #expect(country.first == "US")
    }
}

extension SynthesizeTests {
    /// A step timeout cancels the server's INSERT on every session of the step, in bounded time.
    @Test func timeoutCancelsTheGeneration() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-synth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let phone = ColumnProfile(
            name: "phone", type: "character varying(20)", kind: .text, notNull: false,
            stats: ColumnStats(nullFrac: 0.1, nDistinct: -0.8, mostCommonFreqs: [0.02, 0.01], histogramSize: 3, avgWidth: 9))
        let status = ColumnProfile(
            name: "status", type: "lead_status", kind: .enum, notNull: true, enumLabels: ["new", "won", "lost"],
            stats: ColumnStats(
                nullFrac: 0, nDistinct: 3, mostCommonVals: ["new", "won", "lost"], mostCommonFreqs: [0.7, 0.2, 0.1], avgWidth: 4))
        let id = ColumnProfile(
            name: "id", type: "bigint", kind: .integer, notNull: true,
            stats: ColumnStats(nullFrac: 0, nDistinct: -1, avgWidth: 8, correlation: 1))
        let leads = TableProfile(
            schema: "public", name: "leads", rows: 1_000_000, pages: 12739, analyzed: true, columns: [id, phone, status],
            primaryKey: ["id"], unique: [["phone"]])
        let profile = Profile(
            source: .init(serverVersion: "15", database: "shop", takenAt: "2026-12-03T00:00:00Z"), redacted: true, tables: [leads])
        try ProfileFile.encode(profile).write(to: dir.appendingPathComponent("profile.json"))
        let file = dir.appendingPathComponent("timeout.yaml")
        try """
        name: synthesize-timeout
        data: {profile: profile.json}
        steps:
          - name: schema
            sql: "CREATE TYPE lead_status AS ENUM ('new', 'won', 'lost'); CREATE TABLE leads (id bigint PRIMARY KEY, phone varchar(20) UNIQUE, status lead_status NOT NULL)"
          - name: data
            timeout: 300ms
            synthesize: {scale: 50}
        expect: {verdict: blocked}
        """.write(to: file, atomically: false, encoding: .utf8)
        var options = RunOptions()
        options.writeResults = false
        let started = ContinuousClock.now
        let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: options)
        let step = try #require(doc.repetitions.first?.steps.last)
        #expect(step.status == .failed && step.error?.sqlstate == "57014", "\(String(describing: step.error))")
        // Seconds at most (6 s once beside the whole suite on 2 cores), against minutes uncancelled.
        #expect(step.durationMs < 15_000, "\(step.durationMs)")
        // 50M rows would take minutes: a run that ends within one, on a machine busy with the
        // other suites, did not wait for a generation the cancel missed.
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}

extension SynthesizeTests {
    /// A parent the step does not fill (seeded by an earlier step) is read as it is: the
    /// children reference its existing keys, with the profile's skew.
    @Test func childrenOfAnExistingParentReferenceItsRows() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-synth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let orders = TableProfile(
            schema: "public", name: "orders", rows: 1000, pages: 10, analyzed: true,
            columns: [
                ColumnProfile(
                    name: "id", type: "bigint", kind: .integer, notNull: true,
                    stats: ColumnStats(nullFrac: 0, nDistinct: -1, histogramSize: 101, avgWidth: 8, correlation: 1)),
                ColumnProfile(
                    name: "customer_id", type: "integer", kind: .integer, notNull: false,
                    stats: ColumnStats(nullFrac: 0.2, nDistinct: 30, mostCommonFreqs: [0.3, 0.1], avgWidth: 4, correlation: 0)),
            ],
            primaryKey: ["id"],
            foreignKeys: [
                ForeignKeyProfile(
                    name: "orders_customer_fk", columns: ["customer_id"],
                    references: .init(schema: "public", table: "customers", columns: ["id"]))
            ])
        let profile = Profile(
            source: .init(serverVersion: "15", database: "shop", takenAt: "2026-12-03T00:00:00Z"), redacted: true, tables: [orders])
        try ProfileFile.encode(profile).write(to: dir.appendingPathComponent("profile.json"))
        let file = dir.appendingPathComponent("existing.yaml")
        try """
        name: synthesize-existing-parent
        data: {profile: profile.json}
        steps:
          - name: schema
            sql: |
              CREATE TABLE customers (id integer PRIMARY KEY);
              INSERT INTO customers SELECT i * 10 FROM generate_series(1, 37) i;
              CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer REFERENCES customers (id));
          - name: data
            synthesize: {tables: [orders]}
        checks:
          - {name: orders, row_count: orders, expect: 1000}
          - {name: nulls, query: "SELECT count(*) FROM orders WHERE customer_id IS NULL", expect: 200}
          - {name: top, query: "SELECT max(c) FROM (SELECT count(*) c FROM orders GROUP BY customer_id) x", expect: 300}
          - {name: distinct, query: "SELECT count(DISTINCT customer_id) FROM orders", expect: 30}
        """.write(to: file, atomically: false, encoding: .utf8)
        var options = RunOptions()
        options.writeResults = false
        let doc = try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: options)
        #expect(doc.verdict == .approved, "\(doc.reasons)")
    }
}
