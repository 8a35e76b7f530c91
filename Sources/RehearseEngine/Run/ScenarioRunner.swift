import Foundation
import PostgresClient
import RehearseHistogram
public import RehearseResults
public import RehearseScenario
import RehearseSupport
import RehearseVerdict

/// Runs scenarios end to end: a disposable server or database per scenario,
/// a fresh database per repetition, and the results document.
public enum ScenarioRunner {

    /// Runs one scenario and returns its results document (written to `options.outDirectory` when asked).
    public static func run(_ scenario: Scenario, options: RunOptions) async throws -> ResultsDocument {
        var run: ScenarioRun
        do {
            try Task.checkCancellation()
            run = try await ScenarioRun.start(scenario, options: options)
        } catch _ where Task.isCancelled {
            // Interrupted before the server was ready: the document still says so.
            return try await ScenarioRun.interruptedBeforeStart(scenario, options: options)
        }
        if let plan = SweepPlan(scenario) { return try await run.sweep(plan, repetitions: options.repeatOverride ?? scenario.repeatCount) }
        return try await run.repetitions(options.repeatOverride ?? scenario.repeatCount)
    }

    /// Checks every scenario's `database.settings` with the embedded server's binary
    /// before anything runs (a rejected value is invalid input at its position). With
    /// `--server` the server judges them when they are set on each database.
    public static func checkSettings(_ scenarios: [Scenario], options: RunOptions) async throws {
        guard options.server == nil, scenarios.contains(where: { !$0.database.settings.isEmpty }) else { return }
        let binaries = try await PostgresBinaries.locate(explicit: options.pgBin)
        for scenario in scenarios { try await SettingsCheck.validate(scenario, binaries: binaries) }
    }

    static func makeHost(_ scenario: Scenario, options: RunOptions, runID: String) async throws -> any DatabaseHost {
        if let server = options.server {
            for fault in scenario.faults {
                if case .memoryCapServer = fault.kind {
                    FileHandle.standardError.write(
                        Data("note: memory_cap on the server needs the embedded server; not applied with --server\n".utf8))
                }
            }
            return try await ExternalHost.connect(server, runID: runID)
        }
        let binaries = try await options.binaries()
        Diagnostics.mark("binaries located")
        var cap: Int64?
        for fault in scenario.faults { if case .memoryCapServer(let bytes) = fault.kind { cap = bytes } }
        let server: EmbeddedServer
        do {
            server = try await EmbeddedServer.start(binaries: binaries, settings: scenario.database.settings, memoryCapBytes: cap)
        } catch RehearseError.infrastructure(let message) where !Task.isCancelled {
            // The settings passed `postgres -C`, so a server that will not start points at the
            // cached cluster it was copied from: made again once, and tried again.
            FileHandle.standardError.write(Data("note: the server did not start; making the cluster cache again\n".utf8))
            Diagnostics.mark("start failed: \(message)")
            PristineCluster.discard(binaries: binaries, layout: .shared)
            server = try await EmbeddedServer.start(binaries: binaries, settings: scenario.database.settings, memoryCapBytes: cap)
        }
        return EmbeddedHost(server: server, runID: runID)
    }

    /// With `--server` there is no disposable server to configure: `database.settings`
    /// go on each repetition's database (`ALTER DATABASE … SET`), which every session on
    /// it starts with. Returns those only a server takes (`shared_buffers`, …), with
    /// PostgreSQL's reason, and what went on the database as PostgreSQL shows it.
    static func applySettings(
        _ settings: [(name: String, value: String)], to database: String, host: any DatabaseHost
    ) async -> (refused: [(String, String)], applied: [String: String]) {
        guard !settings.isEmpty else { return ([], [:]) }
        let db = quoteIdentifier(database)
        let outcome = try? await host.withAdmin { admin -> ([(String, String)], [String: String]) in
            var refused: [(String, String)] = []
            for (name, value) in settings {
                // set_config reads the value as postgresql.conf (and the embedded server's -c)
                // do, so a list (`search_path: app, public`) stays a list, and FROM CURRENT
                // stores it; local to a transaction sent as one string, so the admin session
                // is left as it was and never sits idle under the setting.
                do {
                    try await admin.execute(
                        "BEGIN; SELECT set_config(\(quoteLiteral(name)), \(quoteLiteral(value)), true); "
                            + "ALTER DATABASE \(db) SET \(quoteIdentifier(name)) FROM CURRENT; COMMIT")
                } catch {
                    _ = try? await admin.execute("ROLLBACK")
                    // One that changes who the session is (`role`) goes as written.
                    do {
                        try await admin.execute("ALTER DATABASE \(db) SET \(quoteIdentifier(name)) = \(quoteLiteral(value))")
                    } catch {
                        refused.append((name, asPostgres(error).message))
                    }
                }
            }
            var applied: [String: String] = [:]
            let rows = try await admin.query(
                """
                SELECT split_part(c, '=', 1), substr(c, strpos(c, '=') + 1)
                FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) AS c
                WHERE d.datname = $1 AND s.setrole = 0
                """, [database])
            for row in rows.rows { if let name = row[0], let value = row[1] { applied[name] = value } }
            return (refused, applied)
        }
        return outcome ?? (settings.map { ($0.name, "the server could not be reached to set it") }, [:])
    }

    static func prepareTemplate(_ template: String, scenario: Scenario, host: any DatabaseHost) async throws {
        try await host.createDatabase(template, template: nil)
        guard !scenario.database.extensions.isEmpty else { return }
        let connection = try await host.connect(database: template, label: "rehearse-template")
        for ext in scenario.database.extensions {
            do {
                try await connection.execute("CREATE EXTENSION IF NOT EXISTS \(quoteIdentifier(ext))")
            } catch {
                await connection.close()
                let pg = asPostgres(error)
                // Not installed in this build (0A000 from 15 on, 58P01 before): a version matrix
                // blocks this version's document and runs the others.
                if ["0A000", "58P01"].contains(pg.sqlstate ?? "") {
                    throw MissingExtension(name: ext, message: pg.message, postgresVersion: host.postgresVersion)
                }
                throw RehearseError.infrastructure("database.extensions: \(pg.message)")
            }
        }
        await connection.close()
    }

    /// Times a few hundred `SELECT 1` round trips: the floor of the driver and the socket.
    static func calibrate(host: any DatabaseHost, database: String) async throws -> ResultsDocument.Calibration {
        let histogram = try await Connection.with(host.conninfo(database: database), label: "rehearse-calibrate") { connection in
            try await connection.withSession { session in
                try session.prepare("calibrate", "SELECT 1")
                let none = ParameterBuffer(capacity: 1)
                var h = LatencyHistogram()
                for i in 0..<400 {
                    let start = monotonicNanos()
                    try session.executePrepared("calibrate", none)
                    if i >= 100 { h.record(nanoseconds: monotonicNanos() - start) }
                }
                return h
            }
        }
        return .init(roundTrips: Int(histogram.count), p50Ms: histogram.millis(atPercentile: 50), p99Ms: histogram.millis(atPercentile: 99))
    }

    static func assemble(
        scenario: Scenario, runID: String, startedAt: Date, host: (any DatabaseHost)?, serverKind: ServerKind,
        settings: [String: String],
        calibration: ResultsDocument.Calibration?, repetitions: [RepetitionResult], merged: [String: StepMetrics],
        impacts: [String: StepMetrics], interrupted: Bool
    ) async -> ResultsDocument {
        let judged = DocumentJudgement.judge(
            targets: scenario.targets, expect: ExpectInfo(scenario.expect, scenario: scenario), repetitions: repetitions,
            merged: merged, impacts: impacts, interrupted: interrupted)
        var environment = ResultsDocument.EnvironmentInfo(
            rehearseVersion: RehearseVersion.current, postgresVersion: host?.postgresVersion ?? "unknown", server: serverKind,
            settings: settings,
            os: MachineFacts.os, cpuModel: MachineFacts.cpuModel, cpuCount: MachineFacts.cpuCount,
            memoryBytes: MachineFacts.memoryBytes, calibration: calibration)
        environment.memoryCapEnforcement = host?.memoryCap?.enforcement.rawValue
        var info = ResultsDocument.ScenarioInfo(name: scenario.name, file: scenario.file.relativePath, sha256: scenario.sha256)
        info.targets = ResultsDocument.ScenarioInfo.targets(of: scenario.targets)
        info.expect = ExpectInfo(scenario.expect, scenario: scenario)
        return ResultsDocument(
            scenario: info,
            run: .init(
                id: runID, startedAt: MachineFacts.timestamp(startedAt), finishedAt: MachineFacts.timestamp(),
                gitCommit: await MachineFacts.gitCommit(near: scenario.directory)),
            environment: environment, verdict: judged.verdict, reasons: judged.reasons, expectation: judged.expectation,
            interrupted: interrupted ? true : nil,
            repetitions: repetitions, summary: judged.summary)
    }
}
