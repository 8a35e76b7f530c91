import Foundation
import RehearseScenario
import RehearseSupport

/// Checks a scenario's `database.settings` with the server binary itself before any
/// server starts: `postgres -C name -c name=value …` parses every value as the server
/// would and exits at once. A server given a value it rejects dies at start, which
/// was reported late and with no position; a rejected value is invalid input.
enum SettingsCheck {
    static func validate(_ scenario: Scenario, binaries: PostgresBinaries) async throws {
        let settings = scenario.database.settings
        guard let first = settings.first else { return }
        let account = try ServerAccount.current()
        // A private folder with an empty postgresql.conf is all `-C` reads.
        let folder = try RunDirectories.shared.makeRunDirectory()
        let token = CleanupRegistry.shared.register("remove \(folder.path)") { EmbeddedServer.removeDirectory(folder) }
        defer { CleanupRegistry.shared.run(token) }
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try Data().write(to: data.appendingPathComponent("postgresql.conf"))
        try account.own(folder)
        var command = [binaries.postgres, "-D", data.path, "-C", first.name]
        for (name, value) in settings { command += ["-c", "\(name)=\(value)"] }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["LC_ALL"] = "C"
        let (termination, output) = try await ChildProcess.run(account.command(command), environment: environment)
        guard !termination.succeeded else { return }
        throw RehearseError.invalidInput(error(output, scenario: scenario).description)
    }

    /// The server's complaint, at the value it names (the first setting's if it names none).
    static func error(_ output: String, scenario: Scenario) -> ScenarioError {
        let line = output.split(separator: "\n").first { $0.contains("FATAL:") } ?? output.split(separator: "\n").first ?? ""
        let message = line.components(separatedBy: "FATAL:").last?.trimmingCharacters(in: .whitespaces) ?? String(line)
        let named = message.components(separatedBy: "parameter \"").dropFirst().first?.components(separatedBy: "\"").first
        let settings = scenario.database
        let name = named.flatMap { n in settings.locations[n] == nil ? nil : n } ?? settings.settings.first?.name ?? ""
        let location = settings.locations[name] ?? SourceLocation(file: scenario.file.path, line: 1, column: 1)
        return ScenarioError(
            file: location.file, line: location.line, column: location.column, key: "database.settings.\(name)",
            message: "the server rejects it: \(message.isEmpty ? "postgres -C failed" : message)")
    }
}
