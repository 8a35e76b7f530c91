import ArgumentParser
import Foundation
import RehearseReport
import RehearseResults
import RehearseScenario
import RehearseSupport

struct Compare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare results with a baseline: one finding per step, its metrics under it.",
        discussion: """
            BASELINE and CURRENT are results files or folders of them (matched by scenario name; \
            the newest document of a scenario in a folder counts). A step's time (its duration, a \
            workload's mean latency) regressed when, with at least 4 repetitions on each side, a \
            Mann-Whitney U test is significant after Holm's correction over the scenario's steps \
            (p < 0.05) and the Hodges-Lehmann 95% confidence interval of the change lies past \
            --threshold and the 0.5 ms floor. With fewer repetitions a change is untested: it fails \
            only at 2x and more than 3x the repetitions' spread, or past a --threshold you set. A \
            verdict that changed to blocked, a check or a step that started failing are always regressions.
            Exit codes: 0 no regression; 1 regression; 2 invalid input (a missing or unreadable \
            baseline, a bad results file, or with --strict an environment mismatch); 3 infrastructure.
            """)

    @Argument(help: "Baseline results file or folder.") var baseline: String
    @Argument(help: "Current results file or folder.") var current: String
    @Option(help: "Smallest relative change that can count as a regression (e.g. 10% or 0.1; default 5%).") var threshold: String?
    @Option(help: "Output format: text, markdown, json, junit, github (workflow commands that annotate files), openmetrics.")
    var format: String = "text"
    @Flag(help: "Divide times by the ratio of the two runs' machine calibrations before comparing.") var normalize = false
    @Flag(help: "Treat environment differences (server version, settings, CPU, scenario file) as invalid input.") var strict = false
    @Flag(
        name: .customLong("across-versions"),
        help: "Compare one scenario's documents of two PostgreSQL majors (BASELINE the older, CURRENT the newer): what an upgrade changes.")
    var acrossVersions = false

    func run() async throws {
        guard var comparator = comparator(threshold: threshold, strict: strict) else {
            printError("rehearse: \(thresholdProblem(threshold ?? ""))")
            throw ExitCode(ExitStatus.invalid)
        }
        guard let output = ComparisonFormatter.Format(rawValue: format) else {
            printError("rehearse: --format: '\(format)' is not one of \(formatNames)")
            throw ExitCode(ExitStatus.invalid)
        }
        comparator.normalize = normalize
        if acrossVersions {
            let status = compareAcrossVersions(comparator: comparator, format: output)
            if status != ExitStatus.ok { throw ExitCode(status) }
            return
        }
        let status = compareAndPrint(baseline: baseline, current: current, comparator: comparator, format: output)
        if status != ExitStatus.ok { throw ExitCode(status) }
    }
}

/// The comparator of `--threshold` (nil when it is not a fraction): a threshold given is explicit.
func comparator(threshold: String?, strict: Bool) -> RehearseResults.Comparator? {
    guard let threshold else { return RehearseResults.Comparator(strict: strict) }
    return Units.fraction(threshold, atMost: NumberRanges.maxThreshold).map {
        RehearseResults.Comparator(threshold: $0, strict: strict, thresholdIsExplicit: true)
    }
}

func thresholdProblem(_ text: String) -> String {
    "--threshold: '\(text)' is not a fraction from 0 to 1000% (write 10% or 0.1)"
}

/// `compare`: loads both sides, then compares as `run --baseline` does; returns the exit status.
func compareAndPrint(
    baseline: String, current: String, comparator: RehearseResults.Comparator, format: ComparisonFormatter.Format
) -> Int32 {
    let base: [ResultsDocument]
    let cur: [ResultsDocument]
    do {
        base = try ResultsLoader.load(baseline)
        cur = try ResultsLoader.load(current)
    } catch {
        printError("rehearse: \(error)")
        return ExitStatus.invalid
    }
    return compareAndPrint(baselines: base, currents: cur, comparator: comparator, format: format)
}

/// Shared by `compare` and `run --baseline` (which loads its baseline before it runs): returns the exit status.
func compareAndPrint(
    baselines base: [ResultsDocument], currents cur: [ResultsDocument], comparator: RehearseResults.Comparator,
    format: ComparisonFormatter.Format, toStandardError: Bool = false
) -> Int32 {
    printReport(
        comparator.compare(baselines: base, currents: cur), currents: cur, comparator: comparator, format: format,
        toStandardError: toStandardError)
}

/// Prints a comparison and returns the exit status: 2 when --strict meets differences or nothing matched, 1 on a regression.
/// `currents` are the documents `--format github` annotates the failures of.
func printReport(
    _ report: ComparisonReport, currents cur: [ResultsDocument], comparator: RehearseResults.Comparator,
    format: ComparisonFormatter.Format, toStandardError: Bool = false
) -> Int32 {
    for warning in report.warnings { printError("warning: \(warning)") }
    let rendered =
        switch format {
        case .github: githubAnnotations(currents: cur, report: report)
        case .openmetrics: OpenMetrics.render(Comparator.newestByScenarioList(cur), comparison: report)
        default: ComparisonFormatter.render(report, as: format, colour: format == .text && colourWanted(on: toStandardError ? 2 : 1))
        }
    // With `run --json`, stdout carries only the results documents.
    if toStandardError { writeStandardError(rendered) } else { print(rendered, terminator: "") }
    if comparator.strict && !report.warnings.isEmpty {
        printError("rehearse: --strict: the environments differ")
        return ExitStatus.invalid
    }
    if report.scenarios.isEmpty {
        printError("rehearse: no scenario of the current results has a baseline")
        return ExitStatus.invalid
    }
    return report.hasRegression ? ExitStatus.notMet : ExitStatus.ok
}

/// ANSI colour on a terminal, unless `NO_COLOR` is set to anything (no-color.org).
func colourWanted(on descriptor: Int32) -> Bool {
    isatty(descriptor) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
}
