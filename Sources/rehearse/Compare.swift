import ArgumentParser
import Foundation
import Rehearse

struct Compare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare results with a baseline, step by step and metric by metric.",
        discussion: """
            BASELINE and CURRENT are results files or folders of them (matched by scenario name; \
            the newest document of a scenario in a folder counts). A change is a regression when it \
            passes --threshold and an absolute floor (0.5 ms, 1 MiB, 0.1 percentage point of errors) \
            and, with at least 5 repetitions on each side, a Mann-Whitney U test (p < 0.05). A verdict \
            that changed to blocked and a check that started failing are always regressions.
            Exit codes: 0 no regression; 1 regression; 2 invalid input (a missing or unreadable \
            baseline, a bad results file, or with --strict an environment mismatch); 3 infrastructure.
            """)

    @Argument(help: "Baseline results file or folder.") var baseline: String
    @Argument(help: "Current results file or folder.") var current: String
    @Option(help: "Smallest relative change that can count as a regression (e.g. 10% or 0.1).") var threshold: String = "5%"
    @Option(help: "Output format: text, markdown, json, junit.") var format: String = "text"
    @Flag(help: "Treat environment differences (server version, settings, CPU, scenario file) as invalid input.") var strict = false

    func run() async throws {
        guard let fraction = parseFraction(threshold) else {
            printError("rehearse: \(thresholdProblem(threshold))")
            throw ExitCode(ExitStatus.invalid)
        }
        guard let output = ComparisonFormatter.Format(rawValue: format) else {
            printError("rehearse: --format: '\(format)' is not one of text, markdown, json, junit")
            throw ExitCode(ExitStatus.invalid)
        }
        let status = compareAndPrint(baseline: baseline, current: current, threshold: fraction, format: output, strict: strict)
        if status != ExitStatus.ok { throw ExitCode(status) }
    }
}

/// `--threshold`: a finite fraction from 0 to 1000% (`NumberRanges.maxThreshold`).
func parseFraction(_ text: String) -> Double? {
    let t = text.trimmingCharacters(in: .whitespaces)
    let percent = t.hasSuffix("%")
    guard let n = Double(percent ? String(t.dropLast()) : t), n.isFinite else { return nil }
    let fraction = percent ? n / 100 : n
    return (0...NumberRanges.maxThreshold).contains(fraction) ? fraction : nil
}

func thresholdProblem(_ text: String) -> String {
    "--threshold: '\(text)' is not a fraction from 0 to 1000% (write 10% or 0.1)"
}

/// `compare`: loads both sides, then compares as `run --baseline` does; returns the exit status.
func compareAndPrint(
    baseline: String, current: String, threshold: Double, format: ComparisonFormatter.Format, strict: Bool
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
    return compareAndPrint(baselines: base, currents: cur, threshold: threshold, format: format, strict: strict)
}

/// Shared by `compare` and `run --baseline` (which loads its baseline before it runs): returns the exit status.
func compareAndPrint(
    baselines base: [ResultsDocument], currents cur: [ResultsDocument], threshold: Double,
    format: ComparisonFormatter.Format, strict: Bool, toStandardError: Bool = false
) -> Int32 {
    let report = Comparator(threshold: threshold, strict: strict).compare(baselines: base, currents: cur)
    for warning in report.warnings { printError("warning: \(warning)") }
    let rendered = ComparisonFormatter.render(report, as: format, colour: format == .text && isatty(toStandardError ? 2 : 1) == 1)
    // With `run --json`, stdout carries only the results documents.
    if toStandardError { writeStandardError(rendered) } else { print(rendered, terminator: "") }
    if strict && !report.warnings.isEmpty {
        printError("rehearse: --strict: the environments differ")
        return ExitStatus.invalid
    }
    if report.scenarios.isEmpty {
        printError("rehearse: no scenario of the current results has a baseline")
        return ExitStatus.invalid
    }
    return report.hasRegression ? ExitStatus.notMet : ExitStatus.ok
}
