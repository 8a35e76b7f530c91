import Foundation

extension PgBenchClient {
    /// Evaluates an expression as pgbench's `evaluateExpr` does: NULL in, NULL out (but
    /// for `IS`), integer arithmetic checked for overflow, double when either side is one,
    /// `AND`/`OR`/`CASE` lazily with SQL's three values.
    mutating func evaluate(_ expression: PgBenchExpression) throws(PgBenchEvaluationError) -> PgBenchValue {
        switch expression {
        case .constant(let value): return value
        case .variable(let slot, _):
            // The name is bound only on the rare paths that need it (a retain less per variable read).
            guard let value = variables[slot] else {
                guard case .variable(_, let name) = expression else { return .null }
                throw PgBenchEvaluationError("undefined variable \"\(name)\"")
            }
            if case .text = value, case .variable(_, let name) = expression { return try value.typed(name: name) }
            return value
        case .call(let function, let arguments):
            switch function {
            case .and, .or: return try logical(function == .and, arguments)
            case .caseWhen:
                var i = 0
                while i + 1 < arguments.count {
                    if try evaluate(arguments[i]).truth { return try evaluate(arguments[i + 1]) }
                    i += 2
                }
                return try evaluate(arguments[arguments.count - 1])
            case .least, .greatest:
                var values: [PgBenchValue] = []
                values.reserveCapacity(arguments.count)
                for argument in arguments {
                    let value = try evaluate(argument)
                    if case .null = value { return .null }
                    values.append(value)
                }
                return try extremum(least: function == .least, values)
            default: break
            }
            // At most three arguments: kept in locals, so that evaluating allocates nothing.
            var v0 = PgBenchValue.null
            var v1 = PgBenchValue.null
            var v2 = PgBenchValue.null
            var hasNull = false
            let count = arguments.count
            if count > 0 {
                v0 = try evaluate(arguments[0])
                if case .null = v0 { hasNull = true }
            }
            if count > 1 {
                v1 = try evaluate(arguments[1])
                if case .null = v1 { hasNull = true }
            }
            if count > 2 {
                v2 = try evaluate(arguments[2])
                if case .null = v2 { hasNull = true }
            }
            if hasNull && function != .is && function != .debug { return .null }
            return try apply(function, v0, v1, v2)
        }
    }

    private mutating func logical(_ isAnd: Bool, _ arguments: [PgBenchExpression]) throws(PgBenchEvaluationError) -> PgBenchValue {
        let first = try evaluate(arguments[0])
        if case .null = first { return .null }
        let a = try first.asBool()
        if isAnd && !a { return .boolean(false) }
        if !isAnd && a { return .boolean(true) }
        let second = try evaluate(arguments[1])
        if case .null = second { return .null }
        return .boolean(try second.asBool())
    }

    private func extremum(least: Bool, _ v: [PgBenchValue]) throws(PgBenchEvaluationError) -> PgBenchValue {
        if v.contains(where: \.isDouble) {
            var extremum = try v[0].asDouble()
            for value in v.dropFirst() {
                let d = try value.asDouble()
                extremum = least ? Swift.min(extremum, d) : Swift.max(extremum, d)
            }
            return .double(extremum)
        }
        var extremum = try v[0].asInt()
        for value in v.dropFirst() {
            let i = try value.asInt()
            extremum = least ? Swift.min(extremum, i) : Swift.max(extremum, i)
        }
        return .int(extremum)
    }

    private mutating func apply(
        _ function: PgBenchFunction, _ v0: PgBenchValue, _ v1: PgBenchValue, _ v2: PgBenchValue
    ) throws(PgBenchEvaluationError) -> PgBenchValue {
        let v = (v0, v1, v2)
        switch function {
        case .add, .sub, .mul, .div, .mod, .eq, .ne, .le, .lt:
            if function != .mod, v.0.isDouble || v.1.isDouble {
                let l = try v.0.asDouble()
                let r = try v.1.asDouble()
                switch function {
                case .add: return .double(l + r)
                case .sub: return .double(l - r)
                case .mul: return .double(l * r)
                case .div: return .double(l / r)
                case .eq: return .boolean(l == r)
                case .ne: return .boolean(l != r)
                case .le: return .boolean(l <= r)
                default: return .boolean(l < r)
                }
            }
            let l = try v.0.asInt()
            let r = try v.1.asInt()
            switch function {
            case .add:
                let (sum, overflow) = l.addingReportingOverflow(r)
                if overflow { throw PgBenchEvaluationError("bigint add out of range") }
                return .int(sum)
            case .sub:
                let (difference, overflow) = l.subtractingReportingOverflow(r)
                if overflow { throw PgBenchEvaluationError("bigint sub out of range") }
                return .int(difference)
            case .mul:
                let (product, overflow) = l.multipliedReportingOverflow(by: r)
                if overflow { throw PgBenchEvaluationError("bigint mul out of range") }
                return .int(product)
            case .eq: return .boolean(l == r)
            case .ne: return .boolean(l != r)
            case .le: return .boolean(l <= r)
            case .lt: return .boolean(l < r)
            default:
                if r == 0 { throw PgBenchEvaluationError("division by zero") }
                if r == -1 {
                    if function == .mod { return .int(0) }
                    if l == .min { throw PgBenchEvaluationError("bigint div out of range") }
                    return .int(-l)
                }
                return .int(function == .div ? l / r : l % r)
            }
        case .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight:
            let l = try v.0.asInt()
            let r = try v.1.asInt()
            switch function {
            case .bitAnd: return .int(l & r)
            case .bitOr: return .int(l | r)
            case .bitXor: return .int(l ^ r)
            // C shifts by 64 or more are undefined; masked here as x86 masks them.
            case .shiftLeft: return .int(l &<< r)
            default: return .int(l &>> r)
            }
        case .not: return .boolean(!(try v.0.asBool()))
        case .pi: return .double(Double.pi)
        case .abs:
            if case .int(let i) = v.0 { return .int(i < 0 ? 0 &- i : i) }
            let d = try v.0.asDouble()
            return .double(d < 0 ? -d : d)
        case .debug: return v.0
        case .double: return .double(try v.0.asDouble())
        case .sqrt: return .double((try v.0.asDouble()).squareRoot())
        case .ln: return .double(log(try v.0.asDouble()))
        case .exp: return .double(Foundation.exp(try v.0.asDouble()))
        case .int: return .int(try v.0.asInt())
        case .random, .randomGaussian, .randomExponential, .randomZipfian:
            let low = try v.0.asInt()
            let high = try v.1.asInt()
            if low > high { throw PgBenchEvaluationError("empty range given to random") }
            let (delta, o1) = high.subtractingReportingOverflow(low)
            if o1 || delta.addingReportingOverflow(1).overflow { throw PgBenchEvaluationError("random range is too large") }
            if function == .random { return .int(random.pgbenchUniform(low, high)) }
            let parameter = try v.2.asDouble()
            switch function {
            case .randomGaussian:
                if !(parameter >= 2.0) {
                    throw PgBenchEvaluationError("gaussian parameter must be at least 2.000000 (not \(parameter))")
                }
                return .int(random.pgbenchGaussian(low, high, parameter))
            case .randomZipfian:
                if !(parameter >= 1.001 && parameter <= 1000.0) {
                    throw PgBenchEvaluationError("zipfian parameter must be in range [1.001, 1000] (not \(parameter))")
                }
                return .int(random.pgbenchZipfian(low, high, parameter))
            default:
                if !(parameter > 0.0) {
                    throw PgBenchEvaluationError("exponential parameter must be greater than zero (not \(parameter))")
                }
                return .int(random.pgbenchExponential(low, high, parameter))
            }
        case .pow: return .double(Foundation.pow(try v.0.asDouble(), try v.1.asDouble()))
        case .is:
            // pgbench compares the type and the first bytes of the value ("more permissive than SQL").
            switch (v.0, v.1) {
            case (.null, .null): return .boolean(true)
            case (.boolean(let a), .boolean(let b)): return .boolean(a == b)
            default: return .boolean(false)
            }
        case .hashMurmur2, .hashFnv1a:
            let value = try v.0.asInt()
            let seed = try v.1.asInt()
            return .int(function == .hashMurmur2 ? PgBenchHash.murmur2(value, seed: seed) : PgBenchHash.fnv1a(value, seed: seed))
        case .permute:
            let value = try v.0.asInt()
            let size = try v.1.asInt()
            let seed = try v.2.asInt()
            if size <= 0 { throw PgBenchEvaluationError("permute size parameter must be greater than zero") }
            return .int(PgBenchPermute.permute(value, size: size, seed: seed))
        case .and, .or, .caseWhen, .least, .greatest:
            preconditionFailure("evaluated lazily")
        }
    }
}

extension PgBenchValue {
    var isDouble: Bool {
        if case .double = self { return true }
        return false
    }
}
