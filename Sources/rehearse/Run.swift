import ArgumentParser
import Foundation
import Rehearse

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

    @Option(name: .customLong("pg-bin"), help: "Folder of the PostgreSQL server programs (initdb, postgres).")
    var pgBin: String?

    @Option(name: .customLong("step-timeout"), help: "Default timeout of a step, in seconds.")
    var stepTimeout: Int = 1800

    func validate() throws {
        if let r = `repeat`, r < 1 { throw ValidationError("--repeat must be at least 1") }
        if stepTimeout < 1 { throw ValidationError("--step-timeout must be at least 1 second") }
        if comparator(threshold: threshold, strict: false) == nil {
            throw ValidationError("--threshold: '\(threshold ?? "")' is not a fraction (write 10% or 0.1)")
        }
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
        let scenarios = suite.scenarios
        let names = scenarios.map(\.name)
        // Loaded now, also so that --save-baseline into the same folder cannot replace it before the comparison.
        let baselines: [ResultsDocument]?
        do {
            baselines = try baseline.map(ResultsLoader.load)
            try ResultsWriter.checkWritable(folder: out, option: "--out", entries: names.map { ($0, true) })
            if let saveBaseline {
                try ResultsWriter.checkWritable(
                    folder: saveBaseline, option: "--save-baseline", entries: names.map { ("\($0).json", false) })
            }
        } catch {
            printError("rehearse: \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        if let sig = SignalTrap.shared.signalReceived { throw ExitCode(128 + sig) }

        var options = RunOptions()
        options.repeatOverride = `repeat`
        options.outDirectory = URL(fileURLWithPath: out)
        options.server = server ?? ProcessInfo.processInfo.environment["REHEARSE_SERVER"]
        options.keep = keep
        options.pgBin = pgBin
        options.stepTimeout = .seconds(stepTimeout)
        options.progress = !json
        if let secret = options.server.flatMap({ Rehearse.ConnectionSecrets.password(in: $0) }) {
            SecretMasker.register(secret: secret)
        }
        if let pw = ProcessInfo.processInfo.environment["PGPASSWORD"] { SecretMasker.register(secret: pw) }
        if options.server == nil {
            // The usual libpq variables are honoured in --server mode only, never silently in embedded mode.
            for key in ProcessInfo.processInfo.environment.keys where key.hasPrefix("PG") { unsetenv(key) }
        }

        let work = Task { () -> (documents: [ResultsDocument], failure: (any Error)?) in
            var documents: [ResultsDocument] = []
            for scenario in scenarios {
                if Task.isCancelled { break }
                do {
                    documents.append(try await ScenarioRunner.run(scenario, options: options))
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
                if let data = try? encoder.encode(doc) { print(String(decoding: data, as: UTF8.self)) }
            }
        } else {
            print(SummaryTable.render(documents), terminator: "")
        }
        if let sig = SignalTrap.shared.signalReceived {
            CleanupRegistry.shared.runAll()
            throw ExitCode(128 + sig)
        }
        if let failure {
            printError("rehearse: \(SecretMasker.mask("\(failure)"))")
            if case RehearseError.invalidInput = failure { throw ExitCode(ExitStatus.invalid) }
            throw ExitCode(ExitStatus.infrastructure)
        }
        var status = documents.allSatisfy(\.expectation.met) ? ExitStatus.ok : ExitStatus.notMet
        if let saveBaseline {
            for doc in documents {
                let folder = URL(fileURLWithPath: saveBaseline)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try ResultsWriter.write(doc, to: folder.appendingPathComponent("\(doc.scenario.name).json"))
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
