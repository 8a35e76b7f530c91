import ArgumentParser
import Foundation
import RehearseEngine
import RehearseReport
import RehearseResults
import RehearseScenario
import RehearseSupport

struct AB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "Run the same scenarios from two trees side by side, alternating repetitions, and compare them.",
        discussion: """
            BASE and CURRENT are scenario files or folders (typically the main branch's checkout and \
            the pull request's). Scenarios are matched by name; for each, the repetitions of the two \
            sides alternate (A, B, A, B …) in this one job, so the machine's drift falls on both alike, \
            and the two documents are compared as `compare` does. Exit codes as `compare`, with an \
            expectation not met on either side folded in: 0 no regression, 1 regression or expectation \
            not met, 2 invalid input, 3 infrastructure.
            """)

    @Argument(help: "The base tree's scenario files or folder.") var base: String
    @Argument(help: "The current tree's scenario files or folder.") var current: String
    @Option(help: "Repetitions per side.") var `repeat`: Int = 10
    @Option(help: "Smallest relative change that can count as a regression (default 5%).") var threshold: String?
    @Option(help: "Output format: text, markdown, json, junit, github, openmetrics.") var format: String = "text"
    @Option(help: "Also write both sides' results documents under this folder (base/ and current/).") var out: String?
    @Option(help: "Use an existing PostgreSQL server instead of the embedded one. Default: $REHEARSE_SERVER.") var server: String?
    @Option(name: .customLong("pg-bin"), help: "Folder of the PostgreSQL server programs (initdb, postgres).") var pgBin: String?
    @Option(name: .customLong("step-timeout"), help: "Default timeout of a step, in seconds.") var stepTimeout: Int = 1800

    func validate() throws {
        if !(1...NumberRanges.maxRepeat).contains(`repeat`) {
            throw ValidationError("--repeat must be between 1 and \(NumberRanges.maxRepeat), found \(`repeat`)")
        }
        let maxTimeout = Int(NumberRanges.maxDurationSeconds)
        if !(1...maxTimeout).contains(stepTimeout) {
            throw ValidationError("--step-timeout must be between 1 and \(maxTimeout) seconds (7 days), found \(stepTimeout)")
        }
        _ = try comparison()
    }

    /// `--threshold` and `--format` parsed, or the error `validate()` reports for them.
    func comparison() throws -> (comparator: RehearseResults.Comparator, format: ComparisonFormatter.Format) {
        guard let comparator = comparator(threshold: threshold, strict: false) else {
            throw ValidationError(thresholdProblem(threshold ?? ""))
        }
        guard let output = ComparisonFormatter.Format(rawValue: format) else {
            throw ValidationError("--format: '\(format)' is not one of \(formatNames)")
        }
        return (comparator, output)
    }

    func run() async throws {
        let (comparator, output) = try comparison()
        SignalTrap.shared.install()
        let sides: [ScenarioSuite]
        do { sides = try [base, current].map { ScenarioSuite.load(files: try scenarioFiles([$0])) } } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        for error in sides.flatMap(\.errors) { printError("\(error)") }
        if sides.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(ExitStatus.invalid) }
        let currentByName = Dictionary(sides[1].scenarios.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let pairs = sides[0].scenarios.compactMap { b in currentByName[b.name].map { (b, $0) } }
        for s in sides[0].scenarios where currentByName[s.name] == nil { printError("note: \(s.name) is only in BASE: not run") }
        for s in sides[1].scenarios where !pairs.contains(where: { $0.1.name == s.name }) {
            printError("note: \(s.name) is only in CURRENT: not run")
        }
        if pairs.isEmpty {
            printError("rehearse: no scenario is in both BASE and CURRENT")
            throw ExitCode(ExitStatus.invalid)
        }

        var options = RunOptions()
        options.writeResults = false
        options.server = server ?? ProcessInfo.processInfo.environment["REHEARSE_SERVER"]
        options.pgBin = pgBin
        options.stepTimeout = .seconds(stepTimeout)
        options.progress = isatty(2) == 1
        if options.server == nil {
            for key in ProcessInfo.processInfo.environment.keys where key.hasPrefix("PG") { unsetenv(key) }
        }
        let count = `repeat`
        let work = Task { () -> (pairs: [ABRunner.Pair], failure: (any Error)?) in
            var done: [ABRunner.Pair] = []
            for (b, c) in pairs {
                if Task.isCancelled { break }
                do { done.append(try await ABRunner.run(base: b, current: c, repeat: count, options: options)) } catch {
                    return (done, error)
                }
            }
            return (done, nil)
        }
        SignalTrap.shared.onInterrupt { work.cancel() }
        let (done, failure) = await work.value
        if let sig = SignalTrap.shared.signalReceived {
            CleanupRegistry.shared.runAll()
            throw ExitCode(ExitStatus.interrupted(by: sig))
        }
        if let failure {
            printError("rehearse: \(SecretMasker.mask("\(failure)"))")
            throw ExitCode(ExitStatus.of(failure))
        }
        if let out {
            for pair in done {
                try ResultsWriter.write(pair.base, under: URL(fileURLWithPath: out).appendingPathComponent("base"))
                try ResultsWriter.write(pair.current, under: URL(fileURLWithPath: out).appendingPathComponent("current"))
            }
        }
        var status = compareAndPrint(
            baselines: done.map(\.base), currents: done.map(\.current), comparator: comparator,
            format: output)
        for pair in done {
            for (side, doc) in [("BASE", pair.base), ("CURRENT", pair.current)] where !doc.expectation.met {
                printError("\(doc.scenario.name) (\(side)): expectation not met: \(doc.expectation.mismatches.joined(separator: "; "))")
                status = max(status, ExitStatus.notMet)
            }
        }
        if status != ExitStatus.ok { throw ExitCode(status) }
    }
}
