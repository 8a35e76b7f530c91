/// A parsed `\set`/`\if` expression, as pgbench's grammar (exprparse.y) builds it:
/// operators are function calls, `-x` is `0 - x`, `~x` is `-1 # x`.
package indirect enum PgBenchExpression: Sendable, Equatable {
    case constant(PgBenchValue)
    /// A variable, by its slot in the script's `PgBenchVariables`.
    case variable(slot: Int, name: String)
    case call(PgBenchFunction, [PgBenchExpression])
}

/// pgbench's expression functions and operators (the `PGBENCH_FUNCTIONS` table).
package enum PgBenchFunction: Sendable, Equatable {
    case add, sub, mul, div, mod
    case abs, least, greatest, debug, pi, sqrt, ln, exp, int, double
    case random, randomGaussian, randomExponential, randomZipfian, pow
    case and, or, not
    case bitAnd, bitOr, bitXor, shiftLeft, shiftRight
    case eq, ne, le, lt, `is`
    /// `CASE WHEN c THEN v … ELSE e END`: arguments c1, v1, c2, v2, …, e.
    case caseWhen
    case hashMurmur2, hashFnv1a, permute

    /// Arity: a fixed count, or nil for the special cases checked by the parser.
    struct Named {
        var function: PgBenchFunction
        var arguments: Int?
    }

    /// The functions a script may call by name (case-insensitive, as pgbench's `find_func`).
    static let byName: [String: Named] = [
        "abs": Named(function: .abs, arguments: 1),
        "least": Named(function: .least, arguments: nil),
        "greatest": Named(function: .greatest, arguments: nil),
        "debug": Named(function: .debug, arguments: 1),
        "pi": Named(function: .pi, arguments: 0),
        "sqrt": Named(function: .sqrt, arguments: 1),
        "ln": Named(function: .ln, arguments: 1),
        "exp": Named(function: .exp, arguments: 1),
        "int": Named(function: .int, arguments: 1),
        "double": Named(function: .double, arguments: 1),
        "random": Named(function: .random, arguments: 2),
        "random_gaussian": Named(function: .randomGaussian, arguments: 3),
        "random_exponential": Named(function: .randomExponential, arguments: 3),
        "random_zipfian": Named(function: .randomZipfian, arguments: 3),
        "pow": Named(function: .pow, arguments: 2),
        "power": Named(function: .pow, arguments: 2),
        "mod": Named(function: .mod, arguments: 2),
        "hash": Named(function: .hashMurmur2, arguments: nil),
        "hash_murmur2": Named(function: .hashMurmur2, arguments: nil),
        "hash_fnv1a": Named(function: .hashFnv1a, arguments: nil),
        "permute": Named(function: .permute, arguments: nil),
    ]
}
