import Foundation
import PostgresClient
import RehearseResults
import RehearseScenario
import RehearseSupport
import RehearseVerdict

/// One scenario's run, in its phases: a disposable server (or database) and a template, then
/// repetitions one at a time, then the results document. `ScenarioRunner.run` goes through
/// them in order; `rehearse ab` alternates the repetitions of two runs.
struct ScenarioRun {
    /// A sweep runs it at each of its scales in turn (`ScenarioRun+Sweep.swift`).
    var scenario: Scenario
    var options: RunOptions
    let progress: ProgressReporter?
    let runID: String
    let startedAt: Date
    let host: any DatabaseHost
    let hostToken: Int?
    let template: String
    var repetitions: [RepetitionResult] = []
    var merged: [String: StepMetrics] = [:]
    var mergedImpacts: [String: StepMetrics] = [:]
    var calibration: ResultsDocument.Calibration?
    var keptDatabase: String?
    /// With `--server`, the scenario's settings that went on its databases.
    var appliedSettings: [String: String] = [:]

    static func start(_ scenario: Scenario, options: RunOptions) async throws -> ScenarioRun {
        let progress = options.progress ? ProgressReporter() : nil
        // Load slices name the databases they share after the run id and the scenario file.
        let runID =
            options.loadSlice.map { "\($0.runID)_\(scenario.sha256.prefix(8))" }
            ?? String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(10))
        let startedAt = Date()
        Diagnostics.mark("scenario started", ["scenario": "\(scenario.name)"])
        let host = try await ScenarioRunner.makeHost(scenario, options: options, runID: runID)
        Diagnostics.mark("host ready", ["scenario": "\(scenario.name)"])
        var hostToken: Int?
        if let external = host as? ExternalHost, options.loadSlice?.leads ?? true {
            // Databases this run creates are dropped even if the run is interrupted.
            hostToken = CleanupRegistry.shared.register("drop databases of run \(runID)") {
                ExternalCleanup.dropRunDatabases(conninfo: external.conninfo(database: external.ownDatabase), runID: runID)
            }
        }
        var run = ScenarioRun(
            scenario: scenario, options: options, progress: progress, runID: runID, startedAt: startedAt, host: host,
            hostToken: hostToken, template: "rehearse_\(runID)_template")
        // Only slice 1 of a load-sliced run creates databases.
        if let slice = options.loadSlice, !slice.leads { return run }
        do {
            try await ScenarioRunner.prepareTemplate(run.template, scenario: scenario, host: host)
            Diagnostics.mark("template ready", ["scenario": "\(scenario.name)"])
            run.calibration = try? await ScenarioRunner.calibrate(host: host, database: run.template)
            Diagnostics.mark("calibrated", ["scenario": "\(scenario.name)"])
        } catch {
            await run.abort()
            throw error
        }
        return run
    }

    /// Every repetition in turn, then the document. An interrupt ends the repetitions and
    /// the document says what ran; a failure releases the server and is thrown.
    mutating func repetitions(_ count: Int) async throws -> ResultsDocument {
        do {
            for n in options.shard?.repetitions ?? Array(1...max(count, 1)) {
                if Task.isCancelled { break }
                try await repetition(n, of: count)
            }
        } catch _ where Task.isCancelled {
            // Interrupted: what ran so far goes into the document `finish` writes.
        } catch {
            await abort()
            throw error
        }
        return try await finish()
    }

    /// The document of a run interrupted before its server was ready: no repetition,
    /// `interrupted: true` (written when the options say so).
    static func interruptedBeforeStart(_ scenario: Scenario, options: RunOptions) async throws -> ResultsDocument {
        let runID = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(10))
        let document = await ScenarioRunner.assemble(
            scenario: scenario, runID: runID, startedAt: Date(), host: nil, serverKind: options.serverKind,
            settings: [:], calibration: nil, repetitions: [], merged: [:], impacts: [:], interrupted: true)
        if options.writeResults { try ResultsWriter.write(document, under: options.outDirectory, suffix: options.resultsSuffix) }
        return document
    }

    /// Runs repetition `n` of `count` on a fresh database.
    mutating func repetition(_ n: Int, of count: Int) async throws {
        progress?.scenarioStarted(scenario.name, repetition: n, of: count)
        let database = "rehearse_\(runID)_\(n)"
        if let slice = options.loadSlice, !slice.leads {
            let barrier = LoadSliceBarrier(slice: slice, host: host, database: database)
            try await barrier.waitForDatabase()
            var outcome = await LoadSliceFollower(
                scenario: scenario, host: host, database: database, barrier: barrier, progress: progress
            ).run()
            outcome.result.index = n
            record(outcome)
            if let why = outcome.infrastructureFailure { throw RehearseError.infrastructure(why) }
            return
        }
        let creating = ContinuousClock.now
        try await host.createDatabase(database, template: template)
        if host.kind == .external {
            let (refused, applied) = await ScenarioRunner.applySettings(scenario.database.settings, to: database, host: host)
            appliedSettings = applied
            if n == 1 {
                for (name, reason) in refused {
                    FileHandle.standardError.write(
                        Data((OutgoingText.terminal("note: database.settings \(name) is not applied with --server: \(reason)") + "\n").utf8)
                    )
                }
            }
        }
        let barrier = options.loadSlice.map { LoadSliceBarrier(slice: $0, host: host, database: database) }
        try await barrier?.prepare()
        let databaseMs = (ContinuousClock.now - creating).milliseconds
        Diagnostics.mark("repetition \(n) database ready", ["scenario": "\(scenario.name)"])
        var outcome = await RepetitionRunner(
            scenario: scenario, host: host, database: database, progress: progress, stepTimeout: options.stepTimeout,
            loadSlice: barrier
        ).run()
        if let barrier { await meetAtEnd(barrier, outcome: &outcome) }
        Diagnostics.mark("repetition \(n) done", ["scenario": "\(scenario.name)"])
        outcome.result.databaseMs = (databaseMs * 1000).rounded() / 1000
        if options.shard != nil || options.loadSlice != nil { outcome.result.index = n }
        record(outcome)
        if options.keep && n == (options.shard?.repetitions.last ?? count) {
            keptDatabase = database
        } else {
            try? await host.dropDatabase(database)
        }
        if let why = outcome.infrastructureFailure { throw RehearseError.infrastructure(why) }
    }

    /// A repetition's results, and its measurements merged into the scenario's.
    private mutating func record(_ outcome: RepetitionRunner.Outcome) {
        repetitions.append(outcome.result)
        for (k, v) in outcome.metrics { merged[k, default: StepMetrics()].merge(v) }
        for (k, v) in outcome.impacts { mergedImpacts[k, default: StepMetrics()].merge(v) }
    }

    /// Slice 1, after its steps: the workloads it did not run are skipped for the others, and
    /// the repetition's database is dropped only once every slice is done with it.
    private func meetAtEnd(_ barrier: LoadSliceBarrier, outcome: inout RepetitionRunner.Outcome) async {
        // A workload that never reached its start (skipped, or failed before it) is skipped for all.
        let started = Set(outcome.result.steps.filter { $0.startedAt != nil }.map(\.name))
        await barrier.skip(LoadSlice.barrierSteps(of: scenario).filter { !started.contains($0) })
        guard outcome.infrastructureFailure == nil else { return }
        do { _ = try await barrier.arrive("end") } catch { outcome.infrastructureFailure = "\(error)" }
    }

    /// After a failure: the template dropped, the server shut down (unless kept), the run's databases gone.
    func abort() async {
        if options.loadSlice?.leads ?? true { try? await host.dropDatabase(template) }
        if !options.keep { await host.shutdown() }
        if let hostToken { CleanupRegistry.shared.run(hostToken) }
    }

    /// Releases the server and returns the results document (written when the options say so).
    func finish(sweep: (plan: SweepPlan, scales: [SweepAssembly.Scale])? = nil) async throws -> ResultsDocument {
        if options.loadSlice?.leads ?? true { try? await host.dropDatabase(template) }
        Diagnostics.mark("repetitions done", ["scenario": "\(scenario.name)"])
        var settings = await host.settings()
        // The results say what the scenario's sessions ran with: the server's values, and
        // the ones set on its databases over them.
        settings.merge(appliedSettings) { _, applied in applied }
        if let keptDatabase {
            let info = SecretMasker.mask(host.conninfo(database: keptDatabase))
            await host.markKept(database: keptDatabase)
            FileHandle.standardError.write(Data((OutgoingText.terminal("kept: psql \"\(info)\"  (rehearse clean removes it)") + "\n").utf8))
            if let hostToken { CleanupRegistry.shared.unregister(hostToken) }
        } else {
            await host.shutdown()
            if let hostToken { CleanupRegistry.shared.run(hostToken) }
        }
        Diagnostics.mark("host shut down", ["scenario": "\(scenario.name)"])
        var document = await ScenarioRunner.assemble(
            scenario: scenario, runID: runID, startedAt: startedAt, host: host, serverKind: host.kind, settings: settings,
            calibration: calibration, repetitions: repetitions, merged: merged, impacts: mergedImpacts,
            interrupted: Task.isCancelled)
        if let sweep {
            SweepAssembly.complete(&document, scenario: scenario, plan: sweep.plan, scales: sweep.scales, interrupted: Task.isCancelled)
        }
        document.shard = options.shard
        if let slice = options.loadSlice { document.awaitMerge(of: slice) }
        Diagnostics.mark("assembled", ["scenario": "\(scenario.name)"])
        if options.writeResults {
            try ResultsWriter.write(document, under: options.outDirectory, suffix: options.resultsSuffix)
        }
        return document
    }
}
