import Foundation
import PostgresClient
import RehearseSupport

/// Where load slices meet: a table in rehearse's own schema (`rehearse_slices`) inside each
/// repetition's database, never in the database the URL names. A slice arrives at a point (a
/// workload's name, or `end` of the repetition) by inserting its row and, to wait, polls until
/// all N rows are there; slice 1 marks the workloads it will not run (a step before them
/// failed) as skipped, so the others do not wait for them.
struct LoadSliceBarrier: Sendable {
    let slice: LoadSlice
    let host: any DatabaseHost
    let database: String

    static let schema = "rehearse_slices"

    enum Outcome: Sendable { case go, skipped }

    /// Slice 1, on a repetition's fresh database, before any step.
    func prepare() async throws {
        try await Connection.with(host.conninfo(database: database), label: "rehearse-slices") { connection in
            try await connection.execute(
                """
                CREATE SCHEMA \(Self.schema);
                CREATE TABLE \(Self.schema).arrivals (point text, slice int, arrived_at timestamptz DEFAULT clock_timestamp(),
                  PRIMARY KEY (point, slice));
                CREATE TABLE \(Self.schema).skipped (point text PRIMARY KEY)
                """)
        }
    }

    /// The other slices: waits until slice 1 created the repetition's database and its barrier.
    func waitForDatabase() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + slice.timeout
        while true {
            let ready = try? await Connection.with(host.conninfo(database: database), label: "rehearse-slices") { connection in
                try await connection.query("SELECT to_regclass('\(Self.schema).skipped') IS NOT NULL").scalar == "t"
            }
            if ready == true { return }
            guard clock.now < deadline else {
                throw RehearseError.infrastructure(
                    "load slice \(slice) of run \(slice.runID): the repetition database \(database) did not appear in \(seconds) s; is slice 1 running with --run-id \(slice.runID) on this server?"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Arrives at `point`; with `wait`, returns when every slice has (or slice 1 skipped it).
    /// With `together`, every slice returns at the same instant: 100 ms after the last arrival
    /// on the server's clock, each sleeping what is left of it, so a slice that noticed late
    /// (a busy machine) does not start late.
    func arrive(_ point: String, wait: Bool = true, together: Bool = false) async throws -> Outcome {
        try await Connection.with(host.conninfo(database: database), label: "rehearse-slices") { connection in
            try await connection.execute(
                "INSERT INTO \(Self.schema).arrivals (point, slice) VALUES (\(quoteLiteral(point)), \(slice.index)) ON CONFLICT DO NOTHING")
            guard wait else { return .go }
            let clock = ContinuousClock()
            let deadline = clock.now + slice.timeout
            while true {
                let row = try await connection.query(
                    """
                    SELECT (SELECT string_agg(slice::text, ',' ORDER BY slice) FROM \(Self.schema).arrivals WHERE point = $1),
                           EXISTS (SELECT 1 FROM \(Self.schema).skipped WHERE point = $1)
                    """, [point]
                ).rows.first
                let arrived = (row?[0] ?? nil)?.split(separator: ",").compactMap { Int($0) } ?? []
                if arrived.count >= slice.count {
                    if together,
                        let left = try await connection.query(
                            "SELECT extract(epoch FROM max(arrived_at) + interval '100 milliseconds' - clock_timestamp()) FROM \(Self.schema).arrivals WHERE point = $1",
                            [point]
                        ).scalar.flatMap(Double.init), left > 0
                    {
                        try await Task.sleep(for: .microseconds(Int64(left * 1e6)))
                    }
                    return .go
                }
                if (row?[1] ?? nil) == "t" { return .skipped }
                guard clock.now < deadline else {
                    let missing = (1...slice.count).filter { !arrived.contains($0) }.map(String.init).joined(separator: ", ")
                    throw RehearseError.infrastructure(
                        "load slice \(slice) of run \(slice.runID): waited \(seconds) s at \(Self.describe(point)) in \(database) for slice\(missing.contains(",") ? "s" : "") \(missing); start all \(slice.count) slices with the same --run-id, --load-slice N and scenario files"
                    )
                }
                // Polls the table: the slices start within a few milliseconds of each other.
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    /// The other slices, beside their share of a background workload: returns when slice 1
    /// stopped its share (or this task is cancelled, when the share ended by itself).
    func waitForStop(of step: String) async {
        _ = try? await Connection.with(host.conninfo(database: database), label: "rehearse-slices") { connection in
            while !Task.isCancelled {
                let stopped = try await connection.query(
                    "SELECT EXISTS (SELECT 1 FROM \(Self.schema).arrivals WHERE point = $1 AND slice = 1)", ["\(step) stop"]
                ).scalar
                if stopped == "t" { return }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Slice 1: the workloads it did not run, so that no slice waits for them.
    func skip(_ points: [String]) async {
        guard !points.isEmpty else { return }
        _ = try? await Connection.with(host.conninfo(database: database), label: "rehearse-slices") { connection in
            for point in points {
                try await connection.execute("INSERT INTO \(Self.schema).skipped VALUES (\(quoteLiteral(point))) ON CONFLICT DO NOTHING")
            }
        }
    }

    static func describe(_ point: String) -> String {
        if point == "end" { return "the end of the repetition" }
        if point.hasSuffix(" done") { return "the end of workload '\(point.dropLast(5))'" }
        return "the start of workload '\(point)'"
    }

    private var seconds: String {
        let c = slice.timeout.components
        return String(format: "%g", Double(c.seconds) + Double(c.attoseconds) / 1e18)
    }
}
