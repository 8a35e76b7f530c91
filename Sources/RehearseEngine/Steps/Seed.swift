import Foundation
import PostgresClient
import RehearseHistogram
import RehearseScenario
import RehearseSupport

/// The `seed` step: loads CSV files with COPY in chunks, streaming, so memory
/// stays flat whatever the file's size. With `on_missing_reference: skip`, a
/// chunk whose rows reference missing keys loads the rows that resolve and
/// counts the others, as an application's seeder would.
enum Seed {
    static func run(_ spec: SeedSpec, context: StepContext) async -> StepMeasurement {
        await context.withConnection { connection in
            await load(spec, context: context, connection: connection)
        }
    }

    static func load(_ spec: SeedSpec, context: StepContext, connection: Connection) async -> StepMeasurement {
        if let budget = connectionBudget(spec) {
            return await loadTogether(spec, budget: budget, context: context, connection: connection)
        }
        var measurement = StepMeasurement()
        for table in spec.tables {
            let outcome = await load(table, spec: spec, context: context, connection: connection)
            outcome.add(to: &measurement)
            if measurement.failure != nil { return measurement }
        }
        return measurement
    }

    /// What one table's seed measured, or why it failed.
    struct TableOutcome: Sendable {
        var table: String
        var part = StepMeasurement()
        var observation: MissingSeedObservation?

        /// Adds this table's counts to the step's; the step keeps its first failure.
        func add(to measurement: inout StepMeasurement) {
            measurement.latency.merge(part.latency)
            measurement.batches += part.batches
            measurement.rows += part.rows
            if let skipped = part.rowsSkipped { measurement.rowsSkipped = (measurement.rowsSkipped ?? 0) + skipped }
            if let keys = part.skippedRows { measurement.skippedRows = (measurement.skippedRows ?? []) + keys }
            measurement.errors.merge(part.errors, uniquingKeysWith: +)
            if let observation { measurement.missingSeed[table] = observation }
            if measurement.failure == nil, let failure = part.failure { measurement.failure = failure }
        }
    }

    /// Loads one table's CSV over its streams, the first on `connection`.
    static func load(
        _ table: SeedSpec.Table, spec: SeedSpec, context: StepContext, connection: Connection
    ) async -> TableOutcome {
        let faults = context.missingSeed.filter { $0.table == table.table }
        let startedMs = Double(monotonicNanos() - context.origin) / 1e6
        var outcome = TableOutcome(table: table.table)
        do {
            let plan = try await connection.cancellable { session in
                try SeedPlan.make(table, spec: spec, faults: faults, memoryLimit: context.memoryLimit, session: session)
            }
            let (part, observation) = try await streams(plan, context: context, connection: connection)
            outcome.part = part
            if var observation {
                observation.startedMs = startedMs
                observation.endedMs = Double(monotonicNanos() - context.origin) / 1e6
                outcome.observation = observation
            }
        } catch let error as SeedError {
            outcome.part.fail(message: "\(table.csv.lastPathComponent): \(error.description)")
        } catch let error as CSVError {
            outcome.part.fail(message: "\(error)")
        } catch {
            outcome.part.fail(asPostgres(error))
        }
        return outcome
    }

    /// One stream: takes the plan's ranges one at a time until none is left (a stream
    /// that gets ahead takes more, so no core idles while another stream finishes), on
    /// one session; runs on the session's thread. What each range measured, by its index.
    static func stream(_ plan: SeedPlan, session: Session) throws -> [(Int, StepMeasurement, MissingSeedObservation?)] {
        var staging: Staging?
        if plan.skip { staging = try Staging.prepare(table: plan.table.table, header: plan.header, session: session) }
        var done: [(Int, StepMeasurement, MissingSeedObservation?)] = []
        while !plan.stop.isStopped, let (index, range) = try plan.ranges.next() {
            let (measurement, observation) = try load(plan, range: range, index: index, staging: staging, session: session)
            done.append((index, measurement, observation))
            if measurement.failure != nil { return done }
        }
        if plan.stop.isAbandoned && done.allSatisfy({ $0.1.failure == nil }) {
            var cancelled = StepMeasurement()
            cancelled.fail(asPostgres(CancellationError()))
            done.append((Int.max, cancelled, nil))
            return done
        }
        if let staging { try staging.drop(session: session) }
        return done
    }

    /// Loads the records of one range of the plan, in chunks, each its own COPY and
    /// transaction.
    static func load(
        _ plan: SeedPlan, range: CSVRange, index: Int, staging: Staging?, session: Session
    ) throws -> (StepMeasurement, MissingSeedObservation?) {
        var measurement = StepMeasurement()
        let table = plan.table
        var reader = try CSVReader(url: table.csv, header: plan.header, range: range)
        let filters = plan.filters
        var observation: MissingSeedObservation? = filters.isEmpty ? nil : MissingSeedObservation()
        let copy = plan.copy
        // Data rows are numbered when the plan knows where the range starts, else the
        // chunk is named by its lines.
        let numbered = plan.firstRows != nil
        func place(firstRow: Int, lastRow: Int, lines: ClosedRange<Int>) -> String {
            numbered
                ? " (\(table.csv.lastPathComponent), data rows \(firstRow)–\(lastRow))"
                : " (\(table.csv.lastPathComponent), lines \(lines.lowerBound)–\(lines.upperBound))"
        }

        // While the server loads one chunk, the next one is read and parsed: the file is
        // read once, and neither side waits for the other (psql's \copy streams the same way).
        struct InFlight {
            var statement: String
            var sent: UInt64
            var rows: Int
            var lastRow: Int
            var lines: ClosedRange<Int>
            var completed: UInt64?
        }
        var inFlight: InFlight?
        func settle(_ flight: InFlight) throws -> Bool {
            do {
                let result = try session.finishCopy(statement: flight.statement)
                measurement.record(batchNanos: (flight.completed ?? monotonicNanos()) - flight.sent, rows: result.affectedRows)
                return true
            } catch {
                measurement.batches += 1
                var located = error
                located.message += place(firstRow: flight.lastRow - flight.rows + 1, lastRow: flight.lastRow, lines: flight.lines)
                measurement.fail(located)
                plan.stop.stop()
                return false
            }
        }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        var encoded: [UInt8] = []
        var rowIndex = plan.firstRows?[index] ?? 0
        var finished = false
        while !finished {
            if plan.stop.isStopped {
                // Another stream failed (its error is the step's), or the step was cancelled.
                if let flight = inFlight, try !settle(flight) { return (measurement, observation) }
                if plan.stop.isAbandoned { measurement.fail(asPostgres(CancellationError())) }
                return (measurement, observation)
            }
            chunk.removeAll(keepingCapacity: true)
            var inChunk = 0
            var firstLine = 0
            var lastLine = 0
            // Without a filter no record is looked at on its own: runs of them are copied
            // whole, a thousand at a time, between looks at whether the last chunk is done.
            while filters.isEmpty && inChunk < plan.chunkRows {
                if let flight = inFlight, flight.completed == nil, session.copyFinished() {
                    inFlight?.completed = monotonicNanos()
                }
                let (records, first, last) = try reader.append(upTo: min(1024, plan.chunkRows - inChunk), into: &chunk)
                if records == 0 {
                    finished = true
                    break
                }
                if inChunk == 0 { firstLine = first }
                lastLine = last
                inChunk += records
                rowIndex += records
            }
            while !filters.isEmpty && inChunk < plan.chunkRows {
                guard let record = try reader.nextRecord() else {
                    finished = true
                    break
                }
                defer { rowIndex += 1 }
                if inChunk & 1023 == 0, let flight = inFlight, flight.completed == nil, session.copyFinished() {
                    inFlight?.completed = monotonicNanos()
                }
                if !filters.isEmpty {
                    var cached: [String]?
                    let fields = { () -> [String] in
                        if let cached { return cached }
                        let parsed = record.fields()
                        cached = parsed
                        return parsed
                    }
                    if filters.contains(where: { $0.removes(rowIndex: rowIndex, fields: fields) }) {
                        // Filters exist, so the observation does (it is made whenever they are).
                        observation?.removed += 1
                        if (observation?.keys.count ?? 20) < 20 { observation?.keys.append(filters[0].key(fields: fields())) }
                        continue
                    }
                }
                chunk.append(contentsOf: record.bytes)
                if inChunk == 0 { firstLine = record.line }
                lastLine = record.line
                inChunk += 1
            }
            // Encoded while the server still loads the last chunk.
            let binary = inChunk > 0 && plan.binary?.encode(chunk, into: &encoded) == true
            if !binary && plan.header.count == 1 { CSVEndMarker.quote(&chunk) }
            let statement = binary ? plan.binaryCopy : copy
            if let flight = inFlight {
                inFlight = nil
                guard try settle(flight) else { return (measurement, observation) }
            }
            guard inChunk > 0 else { break }
            let start = monotonicNanos()
            if let staging {
                do {
                    let (loaded, skippedKeys) = try staging.load(
                        chunk: binary ? encoded : chunk, copy: statement, session: session)
                    measurement.rowsSkipped = (measurement.rowsSkipped ?? 0) + (inChunk - loaded)
                    if !skippedKeys.isEmpty {
                        measurement.errors["23503", default: 0] += 1
                        let room = 20 - (measurement.skippedRows?.count ?? 0)
                        if room > 0 { measurement.skippedRows = (measurement.skippedRows ?? []) + skippedKeys.prefix(room) }
                    }
                    measurement.record(batchNanos: monotonicNanos() - start, rows: loaded)
                } catch {
                    measurement.batches += 1
                    var located = error
                    located.message += place(firstRow: rowIndex - inChunk + 1, lastRow: rowIndex, lines: firstLine...lastLine)
                    measurement.fail(located)
                    plan.stop.stop()
                    return (measurement, observation)
                }
            } else {
                do {
                    try session.sendCopy(statement, data: binary ? encoded : chunk)
                } catch {
                    measurement.batches += 1
                    measurement.fail(error)
                    plan.stop.stop()
                    return (measurement, observation)
                }
                inFlight = InFlight(
                    statement: statement, sent: start, rows: inChunk, lastRow: rowIndex, lines: firstLine...lastLine, completed: nil)
            }
            if let limit = plan.memoryLimit, let used = ClientMemory.allocatedBytes(), used > limit {
                if let flight = inFlight { _ = try settle(flight) }
                measurement.fail(message: "client memory \(used) bytes passed the step's memory_cap of \(limit) bytes", sqlstate: "53200")
                plan.stop.stop()
                return (measurement, observation)
            }
        }
        if let flight = inFlight, try !settle(flight) { return (measurement, observation) }
        return (measurement, observation)
    }
}

/// The temporary table a `skip` seed loads each chunk into before keeping the
/// rows whose foreign keys resolve.
struct Staging {
    var name: String
    var insert: String
    var rejected: String

    static func prepare(table: String, header: [String], session: Session) throws(PostgresError) -> Staging {
        let name = "rehearse_seed_stage"
        let columns = header.map(quoteIdentifier).joined(separator: ", ")
        try session.execute(
            "DROP TABLE IF EXISTS pg_temp.\(name); CREATE TEMP TABLE \(name) AS SELECT \(columns) FROM \(table) WITH NO DATA")
        let keys = try session.query(
            """
            SELECT confrelid::regclass::text,
                   array_to_string(ARRAY(SELECT a.attname FROM unnest(conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.i), ','),
                   array_to_string(ARRAY(SELECT a.attname FROM unnest(confkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = confrelid AND a.attnum = k.n ORDER BY k.i), ',')
            FROM pg_constraint WHERE contype = 'f' AND conrelid = to_regclass($1)
            """, [table])
        var conditions: [String] = []
        for row in keys.rows {
            guard let ref = row[0], let local = row[1]?.split(separator: ","), let remote = row[2]?.split(separator: ",")
            else { continue }
            let localColumns = local.map(String.init)
            guard localColumns.allSatisfy(header.contains) else { continue }
            let anyNull = localColumns.map { "s.\(quoteIdentifier($0)) IS NULL" }.joined(separator: " OR ")
            let match = zip(localColumns, remote).map { "r.\(quoteIdentifier(String($1))) = s.\(quoteIdentifier($0))" }
                .joined(separator: " AND ")
            conditions.append("(\(anyNull) OR EXISTS (SELECT 1 FROM \(ref) r WHERE \(match)))")
        }
        let ok = conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
        let keyColumn = quoteIdentifier(header.first ?? "")
        return Staging(
            name: name,
            insert: "INSERT INTO \(table) (\(columns)) SELECT \(columns) FROM \(name) s WHERE \(ok)",
            rejected: "SELECT s.\(keyColumn)::text FROM \(name) s WHERE NOT (\(ok)) LIMIT 20")
    }

    /// Loads a chunk; returns how many rows were kept and the keys of some rows skipped.
    func load(chunk: [UInt8], copy: String, session: Session) throws(PostgresError) -> (Int, [String]) {
        try session.execute("BEGIN; TRUNCATE \(name)")
        do {
            let stageCopy = copy.replacingOccurrences(of: #"^COPY \S+ "#, with: "COPY \(name) ", options: .regularExpression)
            _ = try session.copyIn(stageCopy) { writer in try writer.write(chunk) }
        } catch let error as PostgresError {
            _ = try? session.execute("ROLLBACK")
            throw error
        } catch {
            _ = try? session.execute("ROLLBACK")
            throw PostgresError(kind: .client, message: "\(error)")
        }
        do {
            let rejected = try session.query(rejected).rows.compactMap { $0[0] }
            let inserted = try session.query(insert).affectedRows
            try session.execute("COMMIT")
            return (inserted, rejected)
        } catch {
            _ = try? session.execute("ROLLBACK")
            throw error
        }
    }

    func drop(session: Session) throws(PostgresError) {
        try session.execute("DROP TABLE IF EXISTS pg_temp.\(name)")
    }
}
