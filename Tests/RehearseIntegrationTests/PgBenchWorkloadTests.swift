import Foundation
import RehearseHistogram
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseResults
@testable import RehearseScenario

/// pgbench scripts as workload transactions, on a real disposable server.
@Suite("pgbench scripts as workloads")
struct PgBenchWorkloadTests {
    static let fixtures = Repository.root.appendingPathComponent("Tests/RehearseUnitTests/Fixtures/pgbench")

    /// What `pgbench -i -s 1` makes (pgbench.c's initCreateTables and initGenerateDataServerSide).
    static let pgbenchTables = """
        CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
        CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84)) WITH (fillfactor = 100);
        CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84)) WITH (fillfactor = 100);
        CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88)) WITH (fillfactor = 100);
        INSERT INTO pgbench_branches (bid, bbalance) SELECT bid, 0 FROM generate_series(1, 1) AS bid;
        INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT tid, (tid - 1) / 10 + 1, 0 FROM generate_series(1, 10) AS tid;
        INSERT INTO pgbench_accounts (aid, bid, abalance, filler)
          SELECT aid, (aid - 1) / 100000 + 1, 0, '' FROM generate_series(1, 100000) AS aid;
        ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid);
        ALTER TABLE pgbench_tellers ADD PRIMARY KEY (tid);
        ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid);
        """

    /// Writes the scenario and the scripts (name → text) into a folder of their own and runs it.
    static func run(_ yaml: String, scripts: [String: String]) async throws -> ResultsDocument {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-pgbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in scripts { try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8) }
        let file = dir.appendingPathComponent("scenario.yaml")
        try yaml.write(to: file, atomically: false, encoding: .utf8)
        var options = RunOptions()
        options.writeResults = false
        options.stepTimeout = .seconds(120)
        return try await ScenarioRunner.run(try ScenarioLoader.load(file: file), options: options)
    }

    static func number(_ value: JSONValue?) -> Int? {
        switch value {
        case .string(let text): Int(text)
        case .number(let n): Int(n)
        default: nil
        }
    }

    /// pgbench's own three scripts, unchanged (as `pgbench --show-script` prints them), as one
    /// weighted mix over three connections: each tpcb-like and simple-update transaction
    /// inserts one pgbench_history row and moves one account by its delta, select-only none.
    @Test func builtInScriptsRunUnchangedAndLeaveTheirRows() async throws {
        var scripts: [String: String] = [:]
        for name in ["tpcb-like", "simple-update", "select-only"] {
            scripts["\(name).sql"] = try String(
                contentsOf: Self.fixtures.appendingPathComponent("\(name).sql"), encoding: .utf8)
        }
        let doc = try await Self.run(
            """
            name: pgbench-builtins
            steps:
              - name: init
                sql: |
            \(Self.pgbenchTables.split(separator: "\n").map { "        \($0)" }.joined(separator: "\n"))
              - name: bench
                workload:
                  connections: 3
                  iterations: 900
                  transactions:
                    - {name: tpcb, pgbench: tpcb-like.sql, weight: 2}
                    - {name: update, pgbench: simple-update.sql}
                    - {name: select, pgbench: select-only.sql}
            checks:
              - {name: history_rows, query: "SELECT count(*) FROM pgbench_history", expect: {">=": 0}}
              - name: balances_follow_history
                query: "SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT coalesce(sum(delta), 0) FROM pgbench_history)"
                expect: "true"
              - name: tellers_follow_tpcb
                query: "SELECT (SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT sum(bbalance) FROM pgbench_branches)"
                expect: "true"
            """, scripts: scripts)
        let bench = try #require(doc.repetitions[0].steps.first { $0.name == "bench" })
        #expect(bench.status == .ok, "\(String(describing: bench.error))")
        #expect(bench.batches == 900)
        #expect(bench.errors.isEmpty, "\(bench.errors)")
        let tpcb = try #require(bench.transactions?["tpcb"]?.batches)
        let update = try #require(bench.transactions?["update"]?.batches)
        let select = try #require(bench.transactions?["select"]?.batches)
        #expect(tpcb + update + select == 900)
        #expect(tpcb > 0 && update > 0 && select > 0)
        let checks = doc.repetitions[0].checks
        #expect(Self.number(checks.first { $0.name == "history_rows" }?.actual) == tpcb + update)
        #expect(checks.first { $0.name == "balances_follow_history" }?.passed == true)
        #expect(checks.first { $0.name == "tellers_follow_tpcb" }?.passed == true)
    }

    /// `:client_id`, `:scale`, `\gset` into a later command, `\if` on what it stored, a
    /// `\sleep` and a command over several lines, each connection its own client.
    @Test func variablesFlowThroughGsetAndBranches() async throws {
        let script = """
            \\set n :scale * 10 + :client_id
            SELECT :n AS got, :client_id * 2 AS twice
            \\gset r_
            \\if :r_got = :n AND :r_twice = 2 * :client_id
            INSERT INTO seen (client, got,
                              twice)
            VALUES (:client_id, :r_got, :r_twice);
            \\else
            INSERT INTO wrong VALUES (1);
            \\endif
            \\sleep 1 ms
            """
        let doc = try await Self.run(
            """
            name: pgbench-features
            steps:
              - name: schema
                sql: "CREATE TABLE seen (client int, got int, twice int); CREATE TABLE wrong (x int)"
              - name: bench
                workload:
                  connections: 3
                  iterations: 60
                  transactions:
                    - {name: flow, pgbench: flow.sql, scale: 7}
            checks:
              - {name: seen, query: "SELECT count(*) FROM seen WHERE got = 70 + client AND twice = 2 * client", expect: 60}
              - {name: clients, query: "SELECT count(DISTINCT client) FROM seen", expect: 3}
              - {name: wrong, row_count: wrong, expect: 0}
            """, scripts: ["flow.sql": script])
        let bench = try #require(doc.repetitions[0].steps.first { $0.name == "bench" })
        #expect(bench.status == .ok, "\(String(describing: bench.error))")
        #expect(bench.batches == 60)
        for check in doc.repetitions[0].checks { #expect(check.passed, "\(check.name): \(String(describing: check.actual))") }
        // Each transaction slept 1 ms: no latency below it.
        #expect((bench.latencyMs?.p50 ?? 0) >= 1)
    }

    /// A SQL error fails its transaction and the connection goes on; an error of the script
    /// itself ends the step with the script's position.
    @Test func sqlErrorsAreCountedScriptErrorsFailTheStep() async throws {
        let doc = try await Self.run(
            """
            name: pgbench-errors
            steps:
              - name: schema
                sql: "CREATE TABLE k (id int PRIMARY KEY)"
              - name: dupes
                on_error: continue
                workload:
                  iterations: 50
                  transactions:
                    - {name: insert, pgbench: insert.sql}
              - name: broken
                on_error: continue
                workload:
                  iterations: 50
                  transactions:
                    - {name: divide, pgbench: divide.sql}
            """,
            scripts: [
                "insert.sql": "\\set id random(1, 5)\nINSERT INTO k VALUES (:id) ON CONFLICT DO NOTHING;\nINSERT INTO k VALUES (:id);\n",
                "divide.sql": "SELECT 1;\n\\set zero 0\n\\set x 1 / :zero\n",
            ])
        let dupes = try #require(doc.repetitions[0].steps.first { $0.name == "dupes" })
        #expect(dupes.status == .ok)
        #expect(dupes.batches == 50)
        #expect(dupes.errors["23505"] == 50)
        let broken = try #require(doc.repetitions[0].steps.first { $0.name == "broken" })
        #expect(broken.status == .failed)
        #expect(broken.error?.message.contains("divide.sql:3:1: division by zero") == true, "\(String(describing: broken.error))")
        #expect(broken.batches == 1)
    }

    /// A migration that changes a table's columns under the scripts' prepared plans (0A000,
    /// "cached plan must not change result type"): a command outside a transaction block is
    /// prepared again and retried, as drivers do; a transaction block fails once per lane,
    /// as an application's would, and the next run prepares anew. Before, every later
    /// transaction of the workload failed.
    @Test func aSchemaChangeUnderThePreparedPlansCostsAtMostOneTransactionPerLane() async throws {
        let doc = try await Self.run(
            """
            name: pgbench-schema-change
            steps:
              - name: schema
                sql: "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g"
              - name: traffic
                background: true
                until: deploy
                workload:
                  connections: 2
                  rate: 400/s
                  transactions:
                    - {name: single, pgbench: single.sql}
                    - {name: block, pgbench: block.sql}
              - name: warm-up
                sql: "SELECT pg_sleep(0.3)"
              - name: deploy
                sql: "ALTER TABLE t ADD COLUMN extra int; SELECT pg_sleep(0.5)"
            """,
            scripts: [
                "single.sql": "\\set id random(1, 1000)\nSELECT * FROM t WHERE id = :id;\n",
                "block.sql": "\\set id random(1, 1000)\nBEGIN;\nSELECT * FROM t WHERE id = :id;\nEND;\n",
            ])
        let traffic = try #require(doc.repetitions.first?.steps.first { $0.name == "traffic" })
        let single = try #require(traffic.transactions?["single"])
        let block = try #require(traffic.transactions?["block"])
        #expect(single.batches > 50 && block.batches > 50, "\(single.batches) and \(block.batches) transactions")
        #expect(single.errors.isEmpty, "\(single.errors)")
        #expect((block.errors["0A000"] ?? 0) <= 2 && block.errors.keys.allSatisfy { $0 == "0A000" }, "\(block.errors)")
    }
}
