import Foundation
import TestBasics
import Testing

@testable import RehearseReport
@testable import RehearseResults

@Suite("GitHub annotations")
struct GitHubAnnotationsTests {
    typealias Annotation = GitHubAnnotations.Annotation

    @Test func aCommandIsEscapedAsGitHubsToolkitEscapesIt() {
        let a = Annotation(
            level: .error, file: "db/mig,rations/a:b.sql", line: 4, column: 21, title: "rehearse: 50% slower, step x",
            message: "100% done\r\nsecond line: a, b")
        #expect(
            GitHubAnnotations.command(a)
                == "::error file=db/mig%2Crations/a%3Ab.sql,line=4,col=21,title=rehearse%3A 50%25 slower%2C step x::100%25 done%0D%0Asecond line: a, b\n"
        )
        #expect(GitHubAnnotations.command(Annotation(level: .warning, title: "t", message: "m")) == "::warning title=t::m\n")
        // `%` first, so an escape is never escaped twice.
        #expect(GitHubAnnotations.escapeData("%0A\n") == "%250A%0A")
        #expect(GitHubAnnotations.escapeProperty("a:b,c%") == "a%3Ab%2Cc%25")
    }

    static func sources() -> GitHubAnnotations.Sources {
        var s = GitHubAnnotations.Sources(scenarioFile: "rehearse/reseed.yaml")
        s.steps = ["migrate": 5, "backfill-codes": 12]
        s.checks = ["add_on_rates_count_121": 30]
        s.targets = ["backfill-codes p95 < 100ms": 41]
        s.expect = 50
        s.migrationParents = ["migrate": "db"]
        return s
    }

    /// A document whose expectation was not met: the migration's file and line, the failing
    /// check and target on their lines of the scenario, and the expectation.
    @Test func failuresOfAnUnmetExpectationPointAtTheirFiles() {
        var doc = SampleResults.document(SampleResults.Options(name: "reseed", repetitions: 1, checkPasses: false))
        doc.expectation = .init(met: false, mismatches: ["verdict: expected approved, got blocked"])
        let m = doc.repetitions[0].steps.firstIndex { $0.name == "migrate" } ?? 0
        doc.repetitions[0].steps[m].status = .failed
        doc.repetitions[0].steps[m].error = ErrorInfo(
            sqlstate: "42703", message: "column \"nosuch\" does not exist (at migrations/2_broken.up.sql:4:21)",
            migration: "migrations/2_broken.up.sql")
        doc.repetitions[0].targets = [TargetResult(step: "backfill-codes", target: "p95 < 100ms", actual: 180.5, passed: false)]
        let text = GitHubAnnotations.render(documents: [doc], comparison: nil, sources: ["reseed": Self.sources()])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "::error file=rehearse/reseed.yaml,line=50,title=rehearse%3A reseed%3A expectation not met::verdict: expected approved, got blocked",
                "::error file=db/migrations/2_broken.up.sql,line=4,col=21,title=rehearse%3A migration failed in reseed%2C step migrate::42703 column \"nosuch\" does not exist (at migrations/2_broken.up.sql:4:21)",
                "::error file=rehearse/reseed.yaml,line=30,title=rehearse%3A check add_on_rates_count_121 failed::expected 121, got 113 (deploy)",
                "::error file=rehearse/reseed.yaml,line=41,title=rehearse%3A target backfill-codes%3A p95 < 100ms missed::actual 180.500 in reseed",
            ], "\(text)")
        // Without sources (the scenario file is gone) the step is annotated on the file the document names.
        let bare = GitHubAnnotations.render(documents: [doc], comparison: nil, sources: [:])
        #expect(bare.contains("::error file=scenarios/reseed.yaml,title=rehearse%3A step migrate failed in reseed::42703"))
    }

    /// A scenario that expects `blocked` fails its checks on purpose: nothing to annotate.
    @Test func aMetExpectationIsNotAnnotated() {
        let doc = SampleResults.document(SampleResults.Options(repetitions: 1, checkPasses: false))
        #expect(doc.expectation.met)
        #expect(GitHubAnnotations.render(documents: [doc], comparison: nil, sources: [:]).isEmpty)
    }

    @Test func aRegressionIsAnnotatedOnItsStep() {
        let base = SampleResults.document(SampleResults.Options(name: "reseed", repetitions: 5))
        let slow = SampleResults.document(SampleResults.Options(name: "reseed", repetitions: 5, latencyScale: 3, seed: 9))
        let report = Comparator().compare(baselines: [base], currents: [slow])
        #expect(report.hasRegression)
        let text = GitHubAnnotations.render(documents: [slow], comparison: report, sources: ["reseed": Self.sources()])
        #expect(
            text.contains("::error file=rehearse/reseed.yaml,line=12,title=rehearse%3A regression in reseed%2C backfill-codes::"), "\(text)"
        )
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("::error ") })
        // A scenario held on several majors is labelled with its major; its file is still found.
        var labelled = report
        labelled.scenarios[0].scenario = "reseed (PostgreSQL 16)"
        let versioned = GitHubAnnotations.render(documents: [], comparison: labelled, sources: ["reseed": Self.sources()])
        #expect(
            versioned.contains(
                "::error file=rehearse/reseed.yaml,line=12,title=rehearse%3A regression in reseed (PostgreSQL 16)%2C backfill-codes::"))
        // The format of `compare --format github` without the CLI's sources: the same regressions, no lines.
        #expect(
            ComparisonFormatter.render(report, as: .github).contains("::error title=rehearse%3A regression in reseed%2C backfill-codes::"))
    }

    @Test func theMigrationPositionIsReadFromTheMessage() {
        #expect(GitHubAnnotations.position(in: "boom (at m/1.sql:12:3)", of: "m/1.sql") == (12, 3))
        #expect(GitHubAnnotations.position(in: "boom", of: "m/1.sql") == (nil, nil))
    }

    /// Control characters from a server message never reach the command raw.
    @Test func serverTextIsMadeSafe() {
        var doc = SampleResults.document(SampleResults.Options(name: "x", repetitions: 1))
        doc.expectation = .init(met: false, mismatches: ["evil\r::error title=forged::x\n\u{1B}[2J"])
        let text = GitHubAnnotations.render(documents: [doc], comparison: nil, sources: [:])
        #expect(text.split(separator: "\n").count == 1 && !text.contains("\u{1B}") && !text.contains("\r"), "\(text)")
    }
}
