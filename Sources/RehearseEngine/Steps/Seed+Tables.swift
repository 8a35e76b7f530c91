import Foundation
import PostgresClient
import RehearseScenario

extension Seed {
    /// The connections a seed step may use at once: the most streams any of its entries
    /// asks for (`auto` counting as the local cores, at most 4). Nil when the tables load
    /// one after another as they always did: one entry, or one stream everywhere.
    static func connectionBudget(_ spec: SeedSpec) -> Int? {
        guard spec.tables.count > 1 else { return nil }
        let budget = spec.tables.map { SeedPlan.streams($0.streams, dataBytes: .max) }.max() ?? 1
        return budget > 1 ? budget : nil
    }

    /// Loads the step's tables, independent ones at the same time: an entry starts, in the
    /// listed order, once every earlier entry it shares a foreign key with (either way)
    /// has finished and its streams fit in `budget` beside the running ones. After a
    /// failure no entry starts; the step reports the first failure in the listed order.
    static func loadTogether(_ spec: SeedSpec, budget: Int, context: StepContext, connection: Connection) async -> StepMeasurement {
        var measurement = StepMeasurement()
        let waits: [[Int]]
        do {
            let names = spec.tables.map(\.table)
            waits = try await connection.cancellable { session in try waitsFor(names, session: session) }
        } catch {
            measurement.fail(asPostgres(error))
            return measurement
        }
        let outcomes = await withTaskGroup(of: (Int, TableOutcome).self) { group in
            var outcomes = [TableOutcome?](repeating: nil, count: spec.tables.count)
            var running: [Int: Int] = [:]  // entry → its streams
            var next = 0
            var failed = false
            while true {
                while next < spec.tables.count, !failed, waits[next].allSatisfy({ outcomes[$0] != nil }) {
                    let table = spec.tables[next]
                    let streams = min(budget, SeedPlan.expectedStreams(table))
                    guard running.isEmpty || running.values.reduce(0, +) + streams <= budget else { break }
                    running[next] = streams
                    group.addTask { [next] in
                        let outcome: TableOutcome
                        do {
                            let own = try await context.connect(label: "rehearse-seed")
                            outcome = await load(table, spec: spec, context: context, connection: own)
                            await context.release(own)
                        } catch {
                            var failed = TableOutcome(table: table.table)
                            failed.part.fail(asPostgres(error))
                            outcome = failed
                        }
                        return (next, outcome)
                    }
                    next += 1
                }
                guard let (index, outcome) = await group.next() else { break }
                running[index] = nil
                outcomes[index] = outcome
                if outcome.part.failure != nil { failed = true }
            }
            return outcomes
        }
        for outcome in outcomes { outcome?.add(to: &measurement) }
        return measurement
    }

    /// For each listed table, the earlier entries it must wait for: those of the same
    /// table, or of a table it references or that references it.
    static func waitsFor(_ tables: [String], session: Session) throws(PostgresError) -> [[Int]] {
        var oids: [String?] = []
        for table in tables { oids.append(try session.query("SELECT to_regclass($1)::oid::text", [table]).scalar) }
        let keys = try session.query(
            "SELECT conrelid::text, confrelid::text FROM pg_constraint WHERE contype = 'f' AND conrelid <> confrelid")
        var linked = Set<[String]>()
        for row in keys.rows { if let a = row[0], let b = row[1] { linked.insert([a, b]); linked.insert([b, a]) } }
        return tables.indices.map { i in
            (0..<i).filter { j in
                guard let a = oids[i], let b = oids[j] else { return true }  // unknown: keep the order
                return a == b || linked.contains([a, b])
            }
        }
    }
}
