import PostgresClient
import RehearseScenario
import RehearseHistogram

/// The per-transaction work of a workload lane without the database round trip:
/// choose the next transaction by weight, generate its parameters into the
/// reusable buffer, and record its latency (histograms and the timeline sample).
/// Public so that Benchmarks/ can count its instructions and allocations.
public struct HotPathProbe {
    private let plan: WorkloadPlan
    private var random = FastRandom(seed: 42)
    private let params = ParameterBuffer(capacity: 8)
    private var lane: LaneResult
    private var tick: UInt64 = 1_000_000

    public init() {
        let spec = WorkloadSpec(
            connections: 1, length: nil, rate: nil,
            transactions: [
                .init(
                    name: "batch", weight: 3, sql: .inline("SELECT $1::int, $2::text"),
                    params: [.randomInt(1, 50_000), .pick(["A", "B", "C"])]),
                .init(name: "read", weight: 1, sql: .inline("SELECT $1::int"), params: [.randomInt(1, 1000)]),
            ],
            pipeline: 1)
        do {
            plan = try WorkloadPlan(spec: spec) { source in
                if case .inline(let text) = source { return text }
                return ""
            }
        } catch {
            // Planning throws only when the resolver does (this one cannot) or for a pipeline (there is none).
            preconditionFailure("the probe's inline, unpipelined workload did not plan: \(error)")
        }
        lane = LaneResult(transactionCount: 2, origin: 0)
    }

    /// One transaction's bookkeeping; returns the chosen transaction's index.
    @discardableResult
    public mutating func runOne() -> Int {
        let index = plan.pick(random.next())
        plan.bind(index, into: params, random: &random, sequence: Int64(tick))
        tick &+= 250_000
        lane.record(tx: index, due: tick, sent: tick &+ 1_000, end: tick &+ 120_000 &+ (tick % 7_919), rows: 1, error: nil)
        return index
    }

    public var recorded: UInt64 { lane.perTransaction.reduce(0) { $0 + $1.count } }
}
