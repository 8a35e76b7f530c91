import ArgumentParser
import Foundation
import RehearseSupport
import RehearseEngine
import RehearseResults
import RehearseScenario

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Read a server's statistics (no rows) into a profile for `synthesize`.",
        discussion: """
            Reads pg_class (row counts, pages), pg_stats (null fraction, distinct count, most \
            common values and frequencies, histogram bounds, average width, correlation), column \
            types, NOT NULL, primary and unique keys, foreign keys and check constraints of the \
            tables named with --table (default: every table of the public schema). No table row \
            is read. --redact drops every value that could come from a row (most common values, \
            histogram bounds) and keeps the shapes.
            Exit codes: 0 written; 2 invalid input (a table that is not there, an unwritable \
            --out); 3 the server could not be reached.
            """)

    @Argument(help: "The server: a libpq connection string or URL (postgresql://user@host/db).") var url: String
    @Option(help: "Where to write the profile (JSON).") var out: String
    @Option(
        name: [.customLong("table"), .customLong("tables")],
        help: "A table to profile (schema.table or a name on the search path); repeatable, or comma-separated.")
    var tables: [String] = []
    @Flag(help: "Drop every value that could come from a row; keep the shapes.") var redact = false

    func run() async throws {
        let names = tables.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        let outcome: ProfileTaker.Outcome
        do {
            outcome = try await ProfileTaker.take(url: url, tables: names.isEmpty ? nil : names, redact: redact)
        } catch {
            printError("rehearse: profile: \(error)")
            throw ExitCode(ExitStatus.of(error))
        }
        for table in outcome.unanalyzed {
            printError("warning: \(table) has no statistics (never analyzed): run ANALYZE on it and profile again")
        }
        do {
            try ResultsWriter.writeAtomically(try ProfileFile.encode(outcome.profile), to: URL(fileURLWithPath: out))
        } catch {
            printError("rehearse: profile: cannot write \(out): \(error)")
            throw ExitCode(ExitStatus.invalid)
        }
        let rows = outcome.profile.tables.reduce(0) { $0 + $1.rows }
        print(
            "\(out): \(outcome.profile.tables.count) table\(outcome.profile.tables.count == 1 ? "" : "s"), "
                + "\(Int(rows)) rows profiled\(redact ? ", redacted" : "")")
    }
}
