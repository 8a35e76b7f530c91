import Foundation
import Testing
@testable import RehearseScenario


/// The profile file's format (no database): round trip, redaction, version, schema.
@Suite("Profile format")
struct ProfileFormatTests {
    static func sample() -> Profile {
        let phone = ColumnProfile(
            name: "phone", type: "character varying(20)", kind: .text, notNull: false,
            stats: ColumnStats(
                nullFrac: 0.1, nDistinct: -0.8, mostCommonVals: ["555-0100", "555-0199"], mostCommonFreqs: [0.02, 0.01],
                histogramBounds: ["555-0000", "555-5000", "555-9999"], avgWidth: 9, correlation: 0.02))
        let status = ColumnProfile(
            name: "status", type: "lead_status", kind: .enum, notNull: true, enumLabels: ["new", "won", "lost"],
            stats: ColumnStats(nullFrac: 0, nDistinct: 3, mostCommonVals: ["new", "won", "lost"], mostCommonFreqs: [0.7, 0.2, 0.1], avgWidth: 4))
        let id = ColumnProfile(
            name: "id", type: "bigint", kind: .integer, notNull: true,
            stats: ColumnStats(nullFrac: 0, nDistinct: -1, histogramBounds: ["1", "500000", "1000000"], avgWidth: 8, correlation: 1))
        let leads = TableProfile(
            schema: "public", name: "leads", rows: 1_000_000, pages: 12739, analyzed: true, columns: [id, phone, status],
            primaryKey: ["id"], unique: [["phone"]],
            foreignKeys: [ForeignKeyProfile(name: "fk", columns: ["id"], references: .init(schema: "public", table: "accounts", columns: ["id"]))],
            checks: [CheckProfile(name: "c", definition: "CHECK ((id > 0))")])
        return Profile(source: .init(serverVersion: "15.18", database: "shop", takenAt: "2026-12-03T06:00:00Z"), tables: [leads])
    }

    @Test func roundTrips() throws {
        let profile = Self.sample()
        let data = try ProfileFile.encode(profile)
        #expect(try ProfileFile.decode(data, file: "p.json") == profile)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"profile_version\" : 1", "\"null_frac\"", "\"n_distinct\"", "\"most_common_freqs\"", "\"primary_key\"", "\"foreign_keys\""] {
            #expect(text.contains(key), "missing \(key)")
        }
    }

    @Test func redactionDropsRowValuesAndKeepsShapes() throws {
        let redacted = Self.sample().redactingRowValues()
        #expect(redacted.redacted)
        let text = String(decoding: try ProfileFile.encode(redacted), as: UTF8.self)
        for value in ["555-0100", "555-0199", "555-0000", "555-5000", "500000"] {
            #expect(!text.contains(value), "\(value) left in the redacted profile")
        }
        let phone = try #require(redacted.tables[0].column("phone")?.stats)
        #expect(phone.mostCommonFreqs == [0.02, 0.01])
        #expect(phone.histogramSize == 3)
        #expect(phone.nullFrac == 0.1 && phone.nDistinct == -0.8 && phone.correlation == 0.02)
        // Enum labels are the type's, not a row's.
        #expect(redacted.tables[0].column("status")?.stats?.mostCommonVals == ["new", "won", "lost"])
        #expect(redacted.tables[0].checks == Self.sample().tables[0].checks)
    }

    @Test func unknownVersionAndBadNumbersAreRefused() throws {
        var text = String(decoding: try ProfileFile.encode(Self.sample()), as: UTF8.self)
        #expect(throws: ProfileFile.LoadError.self) {
            try ProfileFile.decode(Data(text.replacingOccurrences(of: "\"profile_version\" : 1", with: "\"profile_version\" : 2").utf8), file: "p")
        }
        text = text.replacingOccurrences(of: "\"null_frac\" : 0.1", with: "\"null_frac\" : 1.5")
        let error = #expect(throws: ProfileFile.LoadError.self) { try ProfileFile.decode(Data(text.utf8), file: "p") }
        #expect(error?.message.contains("null_frac") == true)
        #expect(throws: ProfileFile.LoadError.self) { try ProfileFile.decode(Data("{}".utf8), file: "p") }
    }

    @Test func schemaAcceptsWhatIsWritten() throws {
        let url = JSONSchemaTests.root.appendingPathComponent("schema/profile.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let resolved = Self.resolveReferences(schema, in: schema) as! [String: Any]
        for profile in [Self.sample(), Self.sample().redactingRowValues()] {
            let value = try JSONSerialization.jsonObject(with: try ProfileFile.encode(profile))
            let problems = SchemaValidator.validate(value, against: resolved, path: "$")
            #expect(problems.isEmpty, "\(problems)")
        }
        var bad = try #require(try JSONSerialization.jsonObject(with: try ProfileFile.encode(Self.sample())) as? [String: Any])
        bad["extra"] = 1
        #expect(!SchemaValidator.validate(bad, against: resolved, path: "$").isEmpty)
    }

    /// Inlines `{"$ref": "#/$defs/x"}` (the test's validator knows no references).
    static func resolveReferences(_ node: Any, in root: [String: Any]) -> Any {
        if let object = node as? [String: Any] {
            if let ref = object["$ref"] as? String, ref.hasPrefix("#/$defs/"),
                let defs = root["$defs"] as? [String: Any], let target = defs[String(ref.dropFirst(8))]
            {
                return resolveReferences(target, in: root)
            }
            return object.mapValues { resolveReferences($0, in: root) }
        }
        if let array = node as? [Any] { return array.map { resolveReferences($0, in: root) } }
        return node
    }
}
