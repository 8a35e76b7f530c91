import ArgumentParser
import Foundation
import RehearseEngine
import RehearseSupport

struct Clean: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove what runs that are gone left behind, --keep ones included.",
        discussion: """
            Stops and removes the run folders (and servers) of rehearse processes that no longer \
            run, the ones --keep left included, and stale staging folders in the cluster cache. \
            With --server, also drops the databases rehearse marked on that server that no session \
            uses (run it when no rehearse run uses the server).
            """)

    @Option(help: "Also drop rehearse's unused databases on this server (libpq connection string or URL).")
    var server: String?

    func run() async throws {
        if let secret = server.flatMap({ RehearseEngine.ConnectionSecrets.password(in: $0) }) { SecretMasker.register(secret: secret) }
        do {
            let removed = try await Leftovers.clean(server: server)
            for line in removed { print("removed \(SecretMasker.mask(line))") }
            print("\(removed.count) leftover\(removed.count == 1 ? "" : "s") removed")
        } catch {
            printError("rehearse: \(SecretMasker.mask("\(error)"))")
            throw ExitCode(ExitStatus.of(error))
        }
    }
}
