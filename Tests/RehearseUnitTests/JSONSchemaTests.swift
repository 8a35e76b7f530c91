import Foundation
import Testing
import Yams

@testable import RehearseEngine

/// The published JSON Schema (schema/scenario.schema.json) accepts every example
/// scenario and rejects malformed ones. The validator below implements the
/// draft 2020-12 keywords the schema uses; `python3 -m jsonschema` agrees (see
/// scripts/validate-schema.py).
@Suite("JSON Schema of the scenario format")
struct JSONSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("schema/scenario.schema.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static var scenarioFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("scenarios").path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test(arguments: scenarioFiles)
    func exampleValidates(_ name: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("scenarios/\(name)"), encoding: .utf8)
        let value = try Yams.load(yaml: text)
        let problems = SchemaValidator.validate(value as Any, against: try Self.schema(), path: "$")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func malformedScenariosAreRejected() throws {
        let schema = try Self.schema()
        for bad in [
            "name: x\nsteps: [{sql: 'SELECT 1'}]\nbogus: 1\n",
            "name: x\nsteps: [{sql: 'SELECT 1', snapshot: s}]\n",
            "name: x\nsteps: [{name: m, sql: 'SELECT 1'}]\nfaults: [{lock: {table: t, mode: exclusivest, during: m}}]\n",
            "name: Bad\nsteps: [{sql: 'SELECT 1'}]\n",
            "name: x\nsteps: [{sql: 'SELECT 1'}]\ntargets: {a: ['p97 < 1s']}\n",
            "name: x\nrepeat: 0\nsteps: [{sql: 'SELECT 1'}]\n",
            "name: x\nsteps: [{workload: {transactions: [{sql: 'SELECT 1', pgbench: t.sql}]}}]\n",
            "name: x\nsteps: [{workload: {transactions: [{sql: 'SELECT 1', scale: 2}]}}]\n",
            "name: x\nsteps: [{workload: {transactions: [{pgbench: t.sql, params: [1]}]}}]\n",
        ] {
            let problems = SchemaValidator.validate(try Yams.load(yaml: bad) as Any, against: schema, path: "$")
            #expect(!problems.isEmpty, "accepted: \(bad)")
        }
        let pgbench = "name: x\nsteps: [{workload: {transactions: [{name: t, pgbench: t.sql, scale: 10, weight: 3}]}}]\n"
        #expect(SchemaValidator.validate(try Yams.load(yaml: pgbench) as Any, against: schema, path: "$").isEmpty)
    }
}

/// A small JSON Schema validator for the keywords schema/scenario.schema.json uses.
enum SchemaValidator {
    static func validate(_ value: Any, against schema: [String: Any], path: String) -> [String] {
        var problems: [String] = []
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [type as! String]
            if !types.contains(where: { matches(value, type: $0) }) { return ["\(path): expected \(types)"] }
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { "\($0)" == "\(value)" }) {
            problems.append("\(path): not one of \(options)")
        }
        if let pattern = schema["pattern"] as? String, let s = value as? String,
            s.range(of: pattern, options: .regularExpression) == nil
        {
            problems.append("\(path): '\(s)' does not match \(pattern)")
        }
        if let n = number(value) {
            if let min = schema["minimum"].flatMap(number), n < min { problems.append("\(path): below \(min)") }
            if let max = schema["maximum"].flatMap(number), n > max { problems.append("\(path): above \(max)") }
            if let min = schema["exclusiveMinimum"].flatMap(number), n <= min { problems.append("\(path): not above \(min)") }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in (schema["required"] as? [String]) ?? [] where object[key] == nil {
                problems.append("\(path): missing \(key)")
            }
            if let min = schema["minProperties"] as? Int, object.count < min { problems.append("\(path): too few keys") }
            if let max = schema["maxProperties"] as? Int, object.count > max { problems.append("\(path): too many keys") }
            for (key, child) in object {
                if let sub = properties[key] as? [String: Any] {
                    problems += validate(child, against: sub, path: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] {
                    if let allowed = extra as? Bool, !allowed {
                        problems.append("\(path): unknown key \(key)")
                    } else if let sub = extra as? [String: Any] {
                        problems += validate(child, against: sub, path: "\(path).\(key)")
                    }
                }
            }
        }
        if let array = value as? [Any] {
            if let min = schema["minItems"] as? Int, array.count < min { problems.append("\(path): fewer than \(min) items") }
            if let max = schema["maxItems"] as? Int, array.count > max { problems.append("\(path): more than \(max) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { problems += validate(item, against: items, path: "\(path)[\(i)]") }
            }
        }
        if let any = schema["anyOf"] as? [[String: Any]], !any.contains(where: { validate(value, against: $0, path: path).isEmpty }) {
            problems.append("\(path): matches none of anyOf")
        }
        if let one = schema["oneOf"] as? [[String: Any]], one.filter({ validate(value, against: $0, path: path).isEmpty }).count != 1 {
            problems.append("\(path): matches not exactly one of oneOf")
        }
        if let not = schema["not"] as? [String: Any], validate(value, against: not, path: path).isEmpty {
            problems.append("\(path): matches what `not` excludes")
        }
        return problems
    }

    /// Numbers come as Swift values (from Yams) or NSNumber (from JSONSerialization), where
    /// `is Bool` is true for 0 and 1 on Linux: ask the dynamic type instead.
    static func isBoolean(_ value: Any) -> Bool {
        type(of: value) == Bool.self || String(describing: type(of: value)).contains("Boolean")
    }

    static func number(_ value: Any) -> Double? {
        if isBoolean(value) { return nil }
        if let i = value as? Int { return Double(i) }
        return value as? Double
    }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "boolean": isBoolean(value)
        case "integer": !isBoolean(value) && (value is Int || (number(value).map { $0 == $0.rounded() } ?? false))
        case "number": number(value) != nil
        case "null": value is NSNull
        default: false
        }
    }
}
