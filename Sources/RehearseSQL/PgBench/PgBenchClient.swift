import RehearseSupport

/// One pgbench client's state: its variables, its random generator, and where it is in
/// the script it runs.
/// A pure state machine in the manner of postgres-nio's: `next` runs the backslash
/// commands and stops at what needs the outside world (a SQL command to send, a sleep),
/// so unit tests drive it without a database and the engine does the I/O.
package struct PgBenchClient: Sendable {
    /// Each variable by slot (see `PgBenchVariables`); nil until set.
    package var variables: [PgBenchValue?]
    private var next = 0
    /// The client's own generator (pgbench's `cs_func_rs`), seeded per client.
    var random: SplitMix64

    package enum Step: Sendable, Equatable {
        /// Send `script.sql[index]`, its parameters from `parameter(_:)`.
        case sql(Int)
        case sleep(microseconds: Int64)
        /// The script ran to its end: one transaction done.
        case end
    }

    /// `:client_id` is the connection's 0-based number, `:scale` the transaction's `scale`,
    /// `:default_seed` (the seed of `hash()`) and `:random_seed` the workload's, the same
    /// for every client as under pgbench.
    package init(variables names: PgBenchVariables, clientID: Int, scale: Int64, seed: Int64, randomSeed: UInt64) {
        random = SplitMix64(seed: randomSeed)
        variables = Array(repeating: nil, count: names.count)
        variables[PgBenchVariables.clientID] = .int(Int64(clientID))
        variables[PgBenchVariables.scale] = .int(scale)
        variables[PgBenchVariables.defaultSeed] = .int(seed)
        variables[PgBenchVariables.randomSeed] = .int(seed)
    }

    /// Starts the script from its first command.
    package mutating func start() { next = 0 }

    /// Runs backslash commands up to the next SQL command, sleep or the end.
    package mutating func step(_ script: PgBenchScript) throws(PgBenchScriptError) -> Step {
        while next < script.commands.count {
            let current = next
            next += 1
            do throws(PgBenchEvaluationError) {
                switch script.commands[current].kind {
                case .sql(let index):
                    return .sql(index)
                case .set(let slot, let expression):
                    variables[slot] = try evaluate(expression)
                case .sleep(let amount, let unit):
                    let value: Int64
                    switch amount {
                    case .constant(let v): value = v
                    case .variable(let slot, let name):
                        guard let v = variables[slot] else { throw PgBenchEvaluationError("\\sleep: undefined variable \"\(name)\"") }
                        guard let n = v.parameterText.flatMap({ Int64($0) }) else {
                            throw PgBenchEvaluationError("\\sleep: invalid sleep time, must be an integer")
                        }
                        value = n
                    }
                    let (micros, overflow) = value.multipliedReportingOverflow(by: unit)
                    return .sleep(microseconds: overflow ? .max : micros)
                case .branch(let condition, let ifFalse):
                    if !(try evaluate(condition)).truth { next = ifFalse }
                case .jump(let target):
                    next = target
                }
            } catch {
                let command = script.commands[current]
                throw PgBenchScriptError(file: script.file, line: command.line, column: command.column, message: error.message)
            }
        }
        return .end
    }

    /// The value of a SQL command's parameter; an undefined variable is an error, as in pgbench.
    package func parameter(
        _ index: Int, of command: PgBenchScript.SQL, in script: PgBenchScript
    ) throws(PgBenchScriptError) -> PgBenchValue {
        guard let value = variables[command.parameters[index]] else {
            throw PgBenchScriptError(
                file: script.file, line: command.line, column: command.column,
                message: "undefined variable \"\(command.parameterNames[index])\"")
        }
        return value
    }

    /// `\gset [prefix]`: the one row of a command's result, each column stored as the
    /// variable `prefix` + its name (as text, a NULL as the empty string, as pgbench does).
    package mutating func store(
        columns: [String], rows: [[String?]], of command: PgBenchScript.SQL, in script: PgBenchScript,
        names: PgBenchVariables
    ) throws(PgBenchScriptError) {
        guard rows.count == 1 else {
            throw PgBenchScriptError(
                file: script.file, line: command.line, column: command.column,
                message: "\\gset: expected one row, got \(rows.count)")
        }
        let prefix = command.gset ?? ""
        for (column, value) in zip(columns, rows[0]) {
            let name = prefix + column
            guard PgBenchVariables.isValidName(Array(name.utf8)) else {
                throw PgBenchScriptError(
                    file: script.file, line: command.line, column: command.column,
                    message: "\\gset: invalid variable name \"\(name)\"")
            }
            // A variable no command reads cannot be observed: only the known ones are kept.
            if let slot = names.existingSlot(name) { variables[slot] = .text(value ?? "") }
        }
    }
}
