import Foundation
import PostgresClient
public import RehearseResults
public import RehearseScenario
import RehearseSupport

/// Runs a scenario on each PostgreSQL major it asks for (`database.versions`, `--pg`): the
/// same run as without versions, on an embedded server of that major, one document each.
public enum VersionMatrix {
    /// Before anything runs: each asked-for major is found (an infrastructure error names
    /// where it looked and how to install it), and each scenario's `database.settings` are
    /// checked by the binary of every major it runs on. With `--server` the only major a
    /// scenario may name is the server's own (invalid input otherwise).
    public static func preflight(_ scenarios: [Scenario], override: [Int]?, options: RunOptions) async throws {
        let planned = scenarios.compactMap { scenario in
            PostgresVersions.planned(for: scenario, override: override).map { (scenario, $0) }
        }
        guard !planned.isEmpty else { return }
        if let server = options.server {
            let major = try await serverMajor(server)
            for (scenario, versions) in planned where versions != [major] {
                let source = override == nil ? "\(scenario.file.relativePath): database.versions" : "--pg"
                throw RehearseError.invalidInput(
                    "\(source) \(versions.map(String.init).joined(separator: ",")): with --server, versions must name the server's own major, \(major)"
                )
            }
            return
        }
        for major in Set(planned.flatMap(\.1)).sorted() {
            var options = options
            options.postgresMajor = major
            let binaries = try await options.binaries()
            for (scenario, versions) in planned where versions.contains(major) && !scenario.database.settings.isEmpty {
                try await SettingsCheck.validate(scenario, binaries: binaries)
            }
        }
    }

    /// Runs `scenario` on `major` and returns its document (written as `…<run>.pg<major>.json`).
    /// An extension of `database.extensions` this build lacks gives a blocked document that
    /// names it, with the server's message, instead of ending the run.
    public static func run(_ scenario: Scenario, major: Int, options: RunOptions) async throws -> ResultsDocument {
        var options = options
        options.postgresMajor = major
        do {
            return try await ScenarioRunner.run(scenario, options: options)
        } catch let missing as MissingExtension {
            var document = await ScenarioRunner.assemble(
                scenario: scenario, runID: String(UUID().uuidString.lowercased().prefix(8)), startedAt: Date(), host: nil,
                serverKind: options.serverKind, settings: [:], calibration: nil, repetitions: [], merged: [:], impacts: [:],
                interrupted: false)
            document.environment.postgresVersion = missing.postgresVersion
            document.reasons = [lacksReason(missing)]
            if options.writeResults {
                try ResultsWriter.write(document, under: options.outDirectory, suffix: options.resultsSuffix)
            }
            return document
        }
    }

    static func lacksReason(_ missing: MissingExtension) -> String {
        "PostgreSQL \(missing.postgresVersion) lacks extension \(missing.name) (database.extensions): \(missing.message)"
    }

    /// The major of the server `--server` names.
    static func serverMajor(_ conninfo: String) async throws -> Int {
        do {
            let connection = try await Connection.connect(conninfo, label: "rehearse-version")
            let version = connection.serverVersion
            await connection.close()
            return version / 10000
        } catch {
            throw RehearseError.infrastructure("cannot reach the server \(SecretMasker.mask(conninfo)): \(asPostgres(error).message)")
        }
    }
}
