import Foundation
import PostgresClient
import RehearseScenario
import RehearseResults
import RehearseSupport

/// Runs a scenario's checks against the repetition's database.
enum CheckRunner {
    static func run(_ checks: [Check], on connection: Connection, phase: String) async -> [CheckResult] {
        var results: [CheckResult] = []
        for check in checks {
            results.append(await run(check, on: connection, phase: phase))
        }
        return results
    }

    static func run(_ check: Check, on connection: Connection, phase: String) async -> CheckResult {
        var result = CheckResult(name: check.name, passed: false, expected: .null, actual: .null, phase: phase, error: nil)
        // What was expected is known before anything runs, so a check that errors still says it.
        switch check.kind {
        case .rowCount(_, let expect), .query(_, let expect): judge(nil, expect, into: &result)
        case .schema(_, let columns):
            result.expected = .object(Dictionary(columns.map { ($0.name, JSONValue.string($0.type)) }, uniquingKeysWith: { a, _ in a }))
        case .expectError(_, let state): result.expected = .string(state)
        }
        result.actual = .null
        result.passed = false
        do {
            switch check.kind {
            case .rowCount(let table, let expect):
                let value = try await connection.query("SELECT count(*) FROM \(table)").scalar
                judge(value, expect, into: &result)
            case .query(let sql, let expect):
                let value = try await connection.execute(sql).last?.scalar
                judge(value, expect, into: &result)
            case .schema(let table, let columns):
                try await schema(table: table, columns: columns, connection: connection, into: &result)
            case .expectError(let sql, let sqlstate):
                result.expected = .string(sqlstate)
                try await connection.execute("BEGIN")
                do {
                    try await connection.execute(sql)
                    result.actual = .string("no error")
                } catch let error as PostgresError {
                    result.actual = .string(error.sqlstate ?? "client error")
                    result.passed = error.sqlstate == sqlstate
                    if !result.passed { result.error = ErrorInfo(sqlstate: error.sqlstate, message: SecretMasker.mask(error.message)) }
                }
                _ = try? await connection.execute("ROLLBACK")
            }
        } catch {
            let pg = asPostgres(error)
            result.passed = false
            result.error = ErrorInfo(sqlstate: pg.sqlstate, message: SecretMasker.mask(pg.message))
            if case .expectError = check.kind {} else { result.actual = .string("error \(pg.sqlstate ?? ""): \(pg.message)") }
            if (try? await connection.query("SELECT 1")) == nil { _ = try? await connection.execute("ROLLBACK") }
        }
        return result
    }

    static func judge(_ value: String?, _ expect: Check.Expectation, into result: inout CheckResult) {
        let number = value.flatMap { Double($0) }
        result.actual = number.map { .number($0) } ?? value.map { .string($0) } ?? .null
        switch expect {
        case .equals(let text):
            if let expected = Double(text) {
                result.expected = .number(expected)
                result.passed = number == expected
            } else {
                result.expected = .string(text)
                result.passed = value == text || (text == "true" && value == "t") || (text == "false" && value == "f")
            }
        case .compare(let op, let bound):
            result.expected = .object([op.rawValue: .number(bound)])
            result.passed = number.map { op.holds($0, bound) } ?? false
        case .between(let low, let high):
            result.expected = .object(["between": .array([.number(low), .number(high)])])
            result.passed = number.map { $0 >= low && $0 <= high } ?? false
        }
    }

    static let typeAliases: [String: String] = [
        "int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint", "serial": "integer",
        "bigserial": "bigint", "varchar": "character varying", "bool": "boolean", "float8": "double precision",
        "float4": "real", "float": "double precision", "timestamptz": "timestamp with time zone",
        "timestamp": "timestamp without time zone", "timetz": "time with time zone", "time": "time without time zone",
        "decimal": "numeric", "char": "character",
    ]

    static func normalize(_ type: String) -> String {
        let lower = type.lowercased().trimmingCharacters(in: .whitespaces)
        let base = lower.split(separator: "(").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? lower
        return typeAliases[base] ?? base
    }

    static func schema(
        table: String, columns: [(name: String, type: String)], connection: Connection, into result: inout CheckResult
    ) async throws {
        let rows = try await connection.query(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [table]
        ).rows
        var actual: [String: String] = [:]
        for row in rows { if let n = row[0], let t = row[1] { actual[n] = t } }
        var expected: [String: JSONValue] = [:]
        for c in columns { expected[c.name] = .string(c.type) }
        result.expected = .object(expected)
        var problems: [String] = []
        if rows.isEmpty { problems.append("table \(table) does not exist") }
        for c in columns where !rows.isEmpty {
            guard let type = actual[c.name] else {
                problems.append("column \(c.name) missing")
                continue
            }
            let wanted = normalize(c.type)
            if normalize(type) != wanted && type.lowercased() != c.type.lowercased() {
                problems.append("column \(c.name) is \(type), expected \(c.type)")
            }
        }
        result.actual = problems.isEmpty ? .object(actual.mapValues { .string($0) }) : .array(problems.map { .string($0) })
        result.passed = problems.isEmpty
    }
}
