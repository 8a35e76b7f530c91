import Foundation
import PostgresClient
import RehearseSQL
import RehearseScenario
import RehearseSupport

/// A workload's transactions, ready to run: statements split, parameters
/// counted, weights turned into a cumulative table.
struct WorkloadPlan: Sendable {
    struct Statement: Sendable {
        var name: String
        var sql: String
        var parameterCount: Int
        var unusedParameters: Set<Int>
        /// A plain BEGIN or COMMIT/END. A pipelined transaction leaves these out:
        /// the statements between two syncs already form one implicit transaction.
        var isTransactionControl: Bool
    }

    struct Transaction: Sendable {
        var name: String
        var statements: [Statement]
        var params: [ParamGenerator]
        /// Wrapped in BEGIN/COMMIT by the engine (several statements, no BEGIN of its own).
        var wrapped: Bool
        /// A pgbench script run instead of `statements` (see `PgBenchLane`), and its `:scale`.
        var script: PgBenchScript? = nil
        var scale: Int64 = 1
    }

    var transactions: [Transaction]
    /// cumulative[i] is the sum of the weights of transactions 0...i.
    var cumulative: [UInt64]
    var totalWeight: UInt64
    /// The variables of every pgbench script of the workload: a client shares them between its scripts.
    var pgbenchVariables = PgBenchVariables()

    init(spec: WorkloadSpec, resolve: (SQLSource) throws -> String) throws {
        var transactions: [Transaction] = []
        var cumulative: [UInt64] = []
        var total: UInt64 = 0
        for (index, tx) in spec.transactions.enumerated() {
            if let file = tx.pgbench {
                if spec.pipeline > 1 {
                    throw PostgresError(kind: .client, message: "transaction '\(tx.name)': a pgbench script is not pipelined")
                }
                let script = try PgBenchScript.parse(file.text, file: file.display, variables: &pgbenchVariables)
                transactions.append(
                    Transaction(name: tx.name, statements: [], params: [], wrapped: false, script: script, scale: tx.scale))
                total += UInt64(max(tx.weight, 0))
                cumulative.append(total)
                continue
            }
            let text = try resolve(tx.sql)
            let parts = SQLScript.statements(text).map(\.text).filter {
                !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            }
            let first = parts.first.map(StatementKind.words) ?? []
            let hasOwnBegin = first.first == "BEGIN" || (first.first == "START" && first.dropFirst().first == "TRANSACTION")
            let wrapped = parts.count > 1 && !hasOwnBegin
            var statements: [Statement] = []
            for (n, sql) in parts.enumerated() {
                let used = SQLScript.parameterNumbers(in: sql)
                let count = max(used.max() ?? 0, 0)
                let unused = Set((1...max(count, 1)).filter { !used.contains($0) && $0 <= count })
                statements.append(
                    Statement(
                        name: "rh_\(index)_\(n)", sql: sql, parameterCount: count, unusedParameters: unused,
                        isTransactionControl: StatementKind.isPlainTransactionControl(sql)))
            }
            if spec.pipeline > 1, let problem = StatementKind.pipelineProblem(text) {
                throw PostgresError(kind: .client, message: "transaction '\(tx.name)': \(problem)")
            }
            transactions.append(Transaction(name: tx.name, statements: statements, params: tx.params, wrapped: wrapped))
            total += UInt64(max(tx.weight, 0))
            cumulative.append(total)
        }
        self.transactions = transactions
        self.cumulative = cumulative
        self.totalWeight = max(total, 1)
    }

    /// Writes transaction `tx`'s parameters into the (emptied) buffer.
    @inline(__always)
    func bind(_ tx: Int, into params: ParameterBuffer, random: inout FastRandom, sequence: Int64) {
        params.removeAll()
        transactions.withUnsafeBufferPointer { transactions in
            for generator in transactions[tx].params {
                generator.generate(into: params, random: &random, sequence: sequence)
            }
        }
    }

    @inline(__always)
    func pick(_ random: UInt64) -> Int {
        let target = random % totalWeight
        var i = 0
        while i < cumulative.count - 1 && target >= cumulative[i] { i += 1 }
        return i
    }
}

/// xoshiro256**: fast, reproducible per connection, no locks.
struct FastRandom: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        // Seeded from SplitMix64, as xoshiro's authors advise.
        var seeds = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
        s = (seeds.next(), seeds.next(), seeds.next(), seeds.next())
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in lower...upper (inclusive).
    @inline(__always)
    mutating func next(in lower: Int64, _ upper: Int64) -> Int64 {
        let span = UInt64(bitPattern: upper &- lower) &+ 1
        if span == 0 { return Int64(bitPattern: next()) }
        return lower &+ Int64(bitPattern: next() % span)
    }
}

extension ParamGenerator {
    /// Writes this parameter's next value into the buffer; no allocation for numbers.
    @inline(__always)
    func generate(into buffer: ParameterBuffer, random: inout FastRandom, sequence: Int64) {
        switch self {
        case .randomInt(let lower, let upper): buffer.append(random.next(in: lower, upper))
        case .pick(let values): buffer.append(values[Int(random.next() % UInt64(values.count))])
        case .sequence(let start): buffer.append(start &+ sequence)
        case .constant(let value): buffer.append(value)
        }
    }
}
