#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pgbench script variable's value, typed as pgbench types it (`PgBenchValue` in
/// pgbench.h): null, boolean, 64-bit integer or double, or text a `\gset` stored and that
/// an expression reads as pgbench does when it uses it.
package enum PgBenchValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    case int(Int64)
    case double(Double)
    /// Known only as text (from `\gset`); `typed()` reads it.
    case text(String)

    var typeName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .int: "int"
        case .double: "double"
        case .text: "text"
        }
    }

    /// The value an expression sees: text read as pgbench reads a variable's string
    /// (`null`; prefixes of true/yes/false/no, on/off; an integer; else a double).
    func typed(name: String) throws(PgBenchEvaluationError) -> PgBenchValue {
        guard case .text(let s) = self else { return self }
        let lower = s.lowercased()
        if lower.isEmpty { throw PgBenchEvaluationError("variable \"\(name)\" is empty") }
        if lower == "null" { return .null }
        if "true".hasPrefix(lower) || "yes".hasPrefix(lower) || lower == "on" { return .boolean(true) }
        if "false".hasPrefix(lower) || "no".hasPrefix(lower) || lower == "off" || lower == "of" { return .boolean(false) }
        let trimmed = s.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })
        let digits = trimmed.first == "+" || trimmed.first == "-" ? trimmed.dropFirst() : trimmed
        if !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let value = Int64(trimmed.first == "+" ? String(digits) : String(trimmed)) else {
                throw PgBenchEvaluationError("value \"\(s)\" is out of range for type bigint")
            }
            return .int(value)
        }
        guard let value = Double(s), value.isFinite || lower.contains("inf") || lower.contains("nan") else {
            throw PgBenchEvaluationError("malformed variable \"\(name)\" value: \"\(s)\"")
        }
        return .double(value)
    }

    /// pgbench's `coerceToInt`: doubles round to nearest (rint), booleans and null refuse.
    func asInt() throws(PgBenchEvaluationError) -> Int64 {
        switch self {
        case .int(let v): return v
        case .double(let d):
            let r = d.rounded(.toNearestOrEven)
            // FLOAT8_FITS_IN_INT64: -2^63 <= r < 2^63
            guard !r.isNaN, r >= -9_223_372_036_854_775_808.0, r < 9_223_372_036_854_775_808.0 else {
                throw PgBenchEvaluationError("double to int overflow for \(Self.format(r))")
            }
            return Int64(r)
        default: throw PgBenchEvaluationError("cannot coerce \(typeName) to int")
        }
    }

    /// pgbench's `coerceToDouble`.
    func asDouble() throws(PgBenchEvaluationError) -> Double {
        switch self {
        case .double(let d): return d
        case .int(let v): return Double(v)
        default: throw PgBenchEvaluationError("cannot coerce \(typeName) to double")
        }
    }

    /// pgbench's `coerceToBool`: only booleans.
    func asBool() throws(PgBenchEvaluationError) -> Bool {
        guard case .boolean(let b) = self else { throw PgBenchEvaluationError("cannot coerce \(typeName) to boolean") }
        return b
    }

    /// pgbench's `valueTruth` (for `\if` and `CASE`): non-zero numbers are true, null is false.
    var truth: Bool {
        switch self {
        case .null: false
        case .boolean(let b): b
        case .int(let v): v != 0
        case .double(let d): d != 0
        case .text(let s): !s.isEmpty
        }
    }

    /// The text pgbench sends for this value as a parameter (`getVariable`): integers in
    /// decimal, doubles with 15 significant digits (`%.15g`), `true`/`false`. Null is nil:
    /// sent as SQL NULL.
    package var parameterText: String? {
        switch self {
        case .null: nil
        case .boolean(let b): b ? "true" : "false"
        case .int(let v): String(v)
        case .double(let d): Self.format(d)
        case .text(let s): s
        }
    }

    static func format(_ d: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([d]) { vsnprintf(&buffer, 64, "%.15g", $0) }
        return String(cString: buffer)
    }
}

/// An expression that cannot be evaluated (division by zero, an undefined variable, a
/// value of the wrong type), with pgbench's message.
package struct PgBenchEvaluationError: Error, Sendable, Equatable {
    package var message: String
    init(_ message: String) { self.message = message }
}
