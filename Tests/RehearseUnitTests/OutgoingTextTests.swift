import Foundation
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseReport
@testable import RehearseResults
@testable import RehearseSupport

/// Issue 23, item 7: no planted secret, and no raw control character from a server
/// message, reaches any output. A secret is planted in every string of a results
/// document (a hint, a check's value and name, a setting, a step's output…), then the
/// document goes out every way rehearse writes one.
@Suite("Outgoing text")
struct OutgoingTextTests {
    static let secret = "Planted-\(UUID().uuidString.prefix(8))-s3cret"
    static let controls = "\u{1B}[2J\u{07}\r"

    /// The sample document with the secret and control characters added to every string
    /// (histograms, which must stay decodable, and enumerations read back as such, aside).
    static func plantedDocument() throws -> ResultsDocument {
        SecretMasker.register(secret: secret)
        var document = SampleResults.document(.init(repetitions: 2, checkPasses: false))
        document.repetitions[0].checks.append(
            CheckResult(name: "n", passed: false, expected: .number(1), actual: .string("x"), phase: "deploy", error: nil))
        document.repetitions[0].steps[0].error = ErrorInfo(sqlstate: "XX000", message: "m", detail: "d", hint: "h")
        document.repetitions[0].steps[0].output = "o"
        let data = try ResultsCoding.encoder().encode(document)
        let tree = try JSONSerialization.jsonObject(with: data)
        let planted = try JSONSerialization.data(withJSONObject: plant(tree, key: ""))
        return try ResultsCoding.decoder().decode(ResultsDocument.self, from: planted)
    }

    static func plant(_ value: Any, key: String) -> Any {
        switch value {
        case let object as [String: Any]:
            var out: [String: Any] = [:]
            for (k, v) in object {
                let plantedKey = key == "settings" || key == "errors" ? "\(k)-\(secret)" : k
                out[plantedKey] = plant(v, key: k)
            }
            return out
        case let array as [Any]: return array.map { plant($0, key: key) }
        case let string as String:
            let untouched = [
                "histogram", "verdict", "status", "server", "kind", "phase", "started_at", "finished_at", "sqlstate", "schema_version",
            ]
            return untouched.contains(key) ? string : "\(string) \(secret) password=\(secret) \(controls)"
        default: return value
        }
    }

    func expectClean(_ output: String, _ what: String, controlsAllowed: Bool = false) {
        #expect(!output.contains(Self.secret), "\(what) leaks the secret")
        #expect(!output.contains("s3cret"), "\(what) leaks part of the secret")
        if !controlsAllowed {
            #expect(!output.contains("\u{07}") && !output.contains("\u{1B}[2J"), "\(what) passes control characters through")
        }
    }

    @Test func noPlantedSecretInAnyOutput() throws {
        let document = try Self.plantedDocument()
        // Planted where the review found leaks: a hint, a check's value and name, a setting.
        let step = document.repetitions[0].steps[0]
        #expect(step.error?.hint?.contains(Self.secret) == true)
        #expect(document.repetitions[0].checks.last?.actual == .string("x \(Self.secret) password=\(Self.secret) \(Self.controls)"))
        #expect(document.repetitions[0].checks.allSatisfy { $0.name.contains(Self.secret) })
        #expect(document.environment.settings.values.allSatisfy { $0.contains(Self.secret) })
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-outgoing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try ResultsWriter.write(document, under: dir)
        let written = try String(contentsOf: file, encoding: .utf8)
        expectClean(written, "the results file", controlsAllowed: true)
        #expect(!written.contains("\u{1B}"), "JSON escapes control characters")
        #expect(try ResultsLoader.load(file.path).count == 1, "the masked file is still a results document")

        expectClean(SummaryTable.render([document]), "the summary table")
        let report = Comparator().compare(baselines: [document], currents: [document])
        for format in ComparisonFormatter.Format.allCases {
            let rendered = ComparisonFormatter.render(report, as: format, colour: true)
            expectClean(rendered, "compare --format \(format)", controlsAllowed: format == .text)
            if format == .text {
                // The colours are the only escapes left: none from the planted text.
                #expect(!rendered.contains("\u{07}") && !rendered.contains("\u{1B}[2J"), "compare --format text")
            }
        }
        expectClean(HTMLReport.render(documents: [document], baseline: [document]), "the HTML report")
        expectClean(OpenMetrics.render([document]), "the OpenMetrics text")
        var unmet = document
        unmet.expectation = .init(met: false, mismatches: ["verdict: expected approved, got blocked"])
        let annotations = GitHubAnnotations.render(documents: [unmet], comparison: report, sources: [:])
        #expect(annotations.contains("::error "))
        expectClean(annotations, "compare --format github")
    }

    @Test func controlCharactersAreShownNotSent() {
        #expect(OutgoingText.terminal("a\u{1B}[31mb\u{07}c\rd\te\nf") == "a\\u{1B}[31mb\\u{7}c\\u{D}d\te\nf")
        #expect(OutgoingText.terminal("plain ✓ text") == "plain ✓ text")
    }

    /// libpq ends the user info at the first `@`; the tail of a password holding one leaked.
    @Test func aPasswordWithAnAtIsMaskedWhole() {
        let url = "postgresql://app:p@ss@w0rd@db.example:5432/app"
        #expect(SecretMasker.mask(url) == "postgresql://app:*****@db.example:5432/app")
        let secrets = ConnectionSecrets.secrets(in: url)
        #expect(secrets.contains("ss@w0rd"), "\(secrets)")
        // libpq's error then names the host "pw@db.example": a two-letter tail is masked with its @.
        #expect(ConnectionSecrets.secrets(in: "postgresql://app:s3cret@pw@db/x").contains("pw@"))
    }

    /// libpq's error for a URL it refuses quotes the text as written.
    @Test func aMalformedURLsSecretsAreKnown() {
        #expect(ConnectionSecrets.secrets(in: "postgresql://app:%ZZs3cretpw@db/x").contains("%ZZs3cretpw"))
        #expect(ConnectionSecrets.secrets(in: "postgresql://app%ZZs3cretpw@db/x").contains("app%ZZs3cretpw"))
        #expect(ConnectionSecrets.secrets(in: "postgresql://app@db/x").isEmpty, "a valid URL's user name is no secret")
    }

    @Test func jsonStaysValidWhenAStringIsMasked() throws {
        let data = Data(#"{"a": "password=abc\"def", "b": "x"}"#.utf8)
        let masked = OutgoingText.json(data)
        let object = try #require(try JSONSerialization.jsonObject(with: masked) as? [String: String])
        #expect(object["a"] == "password=*****")
        #expect(object["b"] == "x")
    }
}
