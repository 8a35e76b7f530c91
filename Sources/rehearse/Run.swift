import ArgumentParser
import Foundation
import RehearseEngine
import RehearseReport
import RehearseResults
import RehearseScenario
import RehearseSupport

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenario files (or every *.yaml in a folder, in name order).")

    @Argument(help: "Scenario files, or folders of them.")
    var paths: [String]

    @Option(help: "Override each scenario's `repeat`.")
    var `repeat`: Int?

    @Option(help: "Where results go.")
    var out: String = "results"

    @Flag(help: "Print the results documents to stdout instead of the summary table.")
    var json = false

    @Option(
        help: "Use an existing PostgreSQL server (libpq connection string or URL) instead of the embedded one. Default: $REHEARSE_SERVER.")
    var server: String?

    @Flag(help: "Keep the disposable server or database after the run and print how to connect to it.")
    var keep = false

    @Option(help: "After the run, compare with this baseline (file or folder) and fold its verdict into the exit code.")
    var baseline: String?

    @Option(help: "With --baseline: smallest relative change that counts as a regression (default 5%).")
    var threshold: String?

    @Option(
        name: .customLong("save-baseline"), help: "Also write the results as the new baseline into this folder (e.g. results/baselines).")
    var saveBaseline: String?

    @Option(
        name: .customLong("pg-bin"),
        help: "Folder of the PostgreSQL server programs (initdb, postgres); repeat it to offer one folder per version for --pg.")
    var pgBin: [String] = []

    @Option(name: .customLong("pg"), help: "Run every scenario on each of these PostgreSQL majors (15,16,18), over database.versions.")
    var pg: String?

    @Option(name: .customLong("step-timeout"), help: "Default timeout of a step, in seconds.")
    var stepTimeout: Int = 1800

    @Option(
        help:
            "Run only shard I of N of the suite's units (scenario x version x repetition), e.g. 2/4; `auto`: I from JOB_COMPLETION_INDEX + 1, N from REHEARSE_SHARDS."
    )
    var shard: String?

    @Option(name: .customLong("shard-durations"), help: "With --shard: balance the shards by the durations in these earlier results.")
    var shardDurations: String?

    @Option(
        name: .customLong("load-slice"),
        help: "With --server and --run-id: drive the I-th of N shares of every workload (e.g. 2/4); slice 1 runs the other steps.")
    var loadSlice: String?

    @Option(name: .customLong("run-id"), help: "With --load-slice: the run's id, the same on every slice.")
    var runID: String?

    @Option(name: .customLong("slice-timeout"), help: "With --load-slice: seconds a slice waits for the others (default 60).")
    var sliceTimeout: String?

    func validate() throws {
        if let r = `repeat`, !(1...NumberRanges.maxRepeat).contains(r) {
            throw ValidationError("--repeat must be between 1 and \(NumberRanges.maxRepeat), found \(r)")
        }
        let maxTimeout = Int(NumberRanges.maxDurationSeconds)
        if !(1...maxTimeout).contains(stepTimeout) {
            throw ValidationError("--step-timeout must be between 1 and \(maxTimeout) seconds (7 days), found \(stepTimeout)")
        }
        if comparator(threshold: threshold, strict: false) == nil { throw ValidationError(thresholdProblem(threshold ?? "")) }
        if let problem = pg.flatMap({ PostgresVersions.parse($0).problem }) { throw ValidationError(problem) }
    }

    func run() async throws {
        SignalTrap.shared.install()
        let files: [URL]
        do { files = try scenarioFiles(paths) } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        // Everything is validated before anything runs: the scenarios, the baseline, where results go.
        let suite = ScenarioSuite.load(files: files)
        for error in suite.errors { printError("\(error)") }
        if !suite.errors.isEmpty { throw ExitCode(ExitStatus.invalid) }
        let selection: ShardSelection
        do {
            selection = try ShardSelection.make(
                suite.scenarios, shard: shard, durations: shardDurations, repeatOverride: `repeat`,
                environment: ProcessInfo.processInfo.environment, versions: versions(of:))
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        if shard != nil { printError("rehearse: shard \(selection.shard): \(selection.mine) of the suite's \(selection.units) units") }
        let scenarios = selection.scenarios
        let names = scenarios.map(\.name)
        // Loaded now, also so that --save-baseline into the same folder cannot replace it before the comparison.
        let baselines: [ResultsDocument]?
        do {
            // A shard compares only what it ran.
            baselines = try baseline.map(ResultsLoader.load).map { $0.filter { names.contains($0.scenario.name) } }
            try ResultsWriter.checkWritable(folder: out, option: "--out", entries: names.map { ($0, true) })
            if let saveBaseline {
                try ResultsWriter.checkWritable(
                    folder: saveBaseline, option: "--save-baseline", entries: baselineNames(scenarios).map { ($0, false) })
            }
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }

        var options = RunOptions()
        options.server = server ?? ProcessInfo.processInfo.environment["REHEARSE_SERVER"]
        options.pgBin = pgBin.first
        options.pgBins = Array(pgBin.dropFirst())
        do {
            options.loadSlice = try loadSliceOption(server: options.server)
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        do {
            try await ScenarioRunner.checkSettings(scenarios.filter { versions(of: $0) == nil }, options: options)
            try await VersionMatrix.preflight(scenarios, override: versionOverride, options: options)
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.of(error))
        }
        options.repeatOverride = `repeat`
        options.outDirectory = URL(fileURLWithPath: out)
        options.keep = keep
        options.stepTimeout = .seconds(stepTimeout)
        options.progress = !json
        for secret in options.server.map(ConnectionSecrets.secrets) ?? [] { SecretMasker.register(secret: secret) }
        if let pw = ProcessInfo.processInfo.environment["PGPASSWORD"] { SecretMasker.register(secret: pw) }
        if options.server == nil {
            // The usual libpq variables are honoured in --server mode only, never silently in embedded mode.
            for key in ProcessInfo.processInfo.environment.keys where key.hasPrefix("PG") { unsetenv(key) }
        }

        let work = Task { () -> (documents: [ResultsDocument], failure: (any Error)?) in
            var documents: [ResultsDocument] = []
            for (scenario, shard) in zip(scenarios, selection.shards) {
                // An interrupt before anything ran still leaves one document saying so.
                if Task.isCancelled && !documents.isEmpty { break }
                var options = options
                options.shard = shard?[nil]
                do {
                    guard let majors = versions(of: scenario) else {
                        documents.append(try await ScenarioRunner.run(scenario, options: options))
                        continue
                    }
                    // A shard runs the versions it was dealt repetitions of.
                    for major in majors where !(Task.isCancelled && !documents.isEmpty) && shard.map({ $0[major] != nil }) ?? true {
                        options.shard = shard?[major]
                        documents.append(try await VersionMatrix.run(scenario, major: major, options: options))
                    }
                } catch {
                    return (documents, error)
                }
            }
            return (documents, nil)
        }
        SignalTrap.shared.onInterrupt { work.cancel() }
        let (documents, failure) = await work.value

        if json {
            let encoder = ResultsCoding.encoder()
            for doc in documents {
                if let data = try? encoder.encode(doc) { print(String(decoding: OutgoingText.json(data), as: UTF8.self)) }
            }
        } else {
            print(SummaryTable.render(documents, colour: colourWanted(on: 1)), terminator: "")
        }
        if let sig = SignalTrap.shared.signalReceived {
            SignalTrap.exitAfterCleanup(sig)
        }
        if let failure {
            printError("rehearse: \(failure)")
            throw ExitCode(ExitStatus.of(failure))
        }
        var status = documents.allSatisfy(\.expectation.met) ? ExitStatus.ok : ExitStatus.notMet
        if let saveBaseline {
            for doc in documents {
                let folder = URL(fileURLWithPath: saveBaseline)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try ResultsWriter.write(doc, to: folder.appendingPathComponent(baselineName(doc, scenarios: scenarios)))
            }
        }
        if let baselines, let comparator = comparator(threshold: threshold, strict: false) {
            let compared = compareAndPrint(
                baselines: baselines, currents: documents, comparator: comparator, format: .text, toStandardError: json)
            status = max(status, compared)
        }
        if status != ExitStatus.ok { throw ExitCode(status) }
    }
}
