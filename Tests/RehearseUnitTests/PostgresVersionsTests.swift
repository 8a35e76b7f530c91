import Foundation
import TestBasics
import Testing

@testable import RehearseReport
@testable import RehearseResults
@testable import RehearseScenario
@testable import RehearseSupport

@Suite("PostgreSQL versions")
struct PostgresVersionsTests {
    func load(_ yaml: String) -> Result<Scenario, ScenarioErrors> {
        Result { () throws(ScenarioErrors) -> Scenario in
            try ScenarioLoader.load(yaml: yaml, file: URL(fileURLWithPath: "/tmp/versions.yaml"))
        }
    }

    @Test func theCommandLineOverridesTheFileAndNoneMeansAsBefore() throws {
        let scenario = try load("name: a\ndatabase: {versions: [18, 15, 16]}\nsteps: [{sql: SELECT 1}]\n").get()
        #expect(PostgresVersions.planned(for: scenario, override: nil) == [15, 16, 18])
        #expect(PostgresVersions.planned(for: scenario, override: [17]) == [17])
        let plain = try load("name: a\nsteps: [{sql: SELECT 1}]\n").get()
        #expect(PostgresVersions.planned(for: plain, override: nil) == nil)
        #expect(PostgresVersions.parse("16,15, 18,16").versions == [15, 16, 18])
        #expect(PostgresVersions.parse("15,x").problem?.contains("'x' is not a PostgreSQL major version") == true)
        #expect(PostgresVersions.parse("9").versions == nil)
        #expect(PostgresVersions.fileSuffix(16) == ".pg16" && PostgresVersions.fileSuffix(nil) == "")
    }

    @Test func badVersionsAreInvalidAtTheirPosition() {
        for (versions, message) in [
            ("[]", "expected at least one PostgreSQL major version"), ("[15, 15]", "15 is listed twice"),
            ("[9]", "must be between 10 and 99"), ("16", "expected a list"),
        ] {
            guard case .failure(let errors) = load("name: a\ndatabase: {versions: \(versions)}\nsteps: [{sql: SELECT 1}]\n") else {
                Issue.record("versions: \(versions) was accepted")
                continue
            }
            #expect(errors.description.contains(message), "\(versions): \(errors)")
            #expect(errors.description.contains("versions.yaml:2:"), "\(errors)")
        }
    }

    @Test func majorsAreReadFromVersionStrings() {
        #expect(PostgresMajor.of("16.2") == 16)
        #expect(PostgresMajor.of("15.18 (Debian 15.18-0+deb12u1)") == 15)
        #expect(PostgresMajor.of("18beta1") == 18)
        #expect(PostgresMajor.of("unknown") == nil)
        #expect(PostgresMajor.name("9.6.24") == "9.6" && PostgresMajor.name("16.2") == "16")
    }

    func document(_ name: String, _ version: String, finished: String = "2026-12-03T10:00:00Z") -> ResultsDocument {
        var d = SampleResults.document(.init(name: name, repetitions: 1))
        d.environment.postgresVersion = version
        d.run.finishedAt = finished
        return d
    }

    /// Compare keeps one document per scenario and major, matches them by both, and still
    /// matches one major on each side by name (a server upgraded under a baseline).
    @Test func compareMatchesScenarioAndMajor() {
        let base = [document("a", "15.18"), document("a", "18.6"), document("b", "15.18")]
        let current = [
            document("a", "18.6", finished: "2026-12-03T11:00:00Z"), document("a", "15.18"), document("b", "16.2"),
        ]
        let report = Comparator().compare(baselines: base, currents: current)
        #expect(report.scenarios.map(\.scenario) == ["a (PostgreSQL 15)", "a (PostgreSQL 18)", "b"])
        #expect(report.missingBaseline.isEmpty && report.missingCurrent.isEmpty)
        #expect(report.scenarios[2].warnings.contains { $0.hasPrefix("postgres_version differs") })
        #expect(report.scenarios[0].warnings.allSatisfy { !$0.hasPrefix("postgres_version") })

        let partial = Comparator().compare(baselines: [document("a", "15.18")], currents: current)
        #expect(partial.scenarios.map(\.scenario) == ["a (PostgreSQL 15)"])
        #expect(partial.missingBaseline == ["a (PostgreSQL 18)", "b"])
    }

    @Test func acrossVersionsNeedsTwoMajors() throws {
        let comparator = Comparator()
        let report = try comparator.compareAcrossVersions(
            older: [document("a", "15.18"), document("a", "18.6")], newer: [document("a", "15.18"), document("a", "18.6")])
        #expect(report.scenarios.map(\.scenario) == ["a: PostgreSQL 15.18 → 18.6"])
        #expect(report.scenarios[0].warnings.allSatisfy { !$0.hasPrefix("postgres_version") })
        #expect(throws: RehearseError.self) {
            try comparator.compareAcrossVersions(older: [document("a", "16.2")], newer: [document("a", "16.4")])
        }
    }
}

@Suite("PostgreSQL versions in the summary and the search")
struct VersionSummaryTests {
    func document(
        _ version: String, failing step: String? = nil, sqlstate: String = "0A000", message: String = ""
    )
        -> ResultsDocument
    {
        var d = SampleResults.document(.init(name: "deploy", repetitions: 1))
        d.environment.postgresVersion = version
        if let step, var rep = d.repetitions.last, let i = rep.steps.firstIndex(where: { $0.name == step }) {
            rep.steps[i].status = .failed
            rep.steps[i].error = ErrorInfo(sqlstate: sqlstate, message: message)
            d.repetitions[d.repetitions.count - 1] = rep
        }
        return d
    }

    /// Several majors of one scenario: a column each, with the failing step's SQLSTATE and
    /// which version lacks which extension; one major alone prints as before.
    @Test func versionsAreSideBySide() throws {
        let plain = document("15.18")
        let step = try #require(plain.repetitions.last?.steps.first?.name)
        let lacking = document("16.2", failing: step, message: "extension \"pgcrypto\" is not available")
        let text = SummaryTable.render([plain, lacking])
        #expect(text.contains("deploy (PostgreSQL 15.18):") && text.contains("deploy (PostgreSQL 16.2):"), "\(text)")
        #expect(text.contains("deploy across versions"), "\(text)")
        #expect(!text.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no line of the summary ends in spaces: \(text)")
        #expect(text.contains("failed 0A000"), "\(text)")
        #expect(text.contains("PostgreSQL 16.2 lacks extension pgcrypto"), "\(text)")
        #expect(!text.contains("PostgreSQL 15.18 lacks"), "\(text)")
        let page = HTMLReport.render(documents: [plain, lacking])
        #expect(page.contains("<h3>deploy across versions</h3>") && page.contains("PostgreSQL 16.2 lacks extension pgcrypto"))
        #expect(page.contains("<h2>deploy (PostgreSQL 15) ") && page.contains("<h2>deploy (PostgreSQL 16) "))
        let alone = SummaryTable.render([plain])
        #expect(!alone.contains("across versions") && !alone.contains("(PostgreSQL"), "\(alone)")
    }

    @Test func theReasonOfAMissingListedExtensionNamesIt() {
        var d = document("18.6")
        d.reasons = ["PostgreSQL 18.6 lacks extension uuid-ossp (database.extensions): extension \"uuid-ossp\" is not available"]
        #expect(SummaryTable.lackedExtensions(d) == ["uuid-ossp"])
    }
}
