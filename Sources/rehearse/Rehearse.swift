import ArgumentParser
import Foundation
import RehearseEngine
import RehearseSupport

/// The process entry point. The main thread waits on a semaphore while the command
/// runs on the global executor, instead of parking in `dispatch_main()` as an async
/// `main` does: valgrind (3.19 to 3.24) crashes on a main thread parked there, and
/// callgrind's instruction counts are how rehearse's hot paths are profiled
/// (Benchmarks/profile-select.sh). Nothing in rehearse runs on the main actor.
@main
enum Entry {
    static func main() {
        Diagnostics.bootstrap()
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await RehearseCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}

struct RehearseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Rehearse database deployments against disposable PostgreSQL databases.",
        discussion: """
            Exit codes: 0 every scenario met its expectation (no regression); 1 an expectation \
            not met or a regression; 2 invalid input (a scenario file, a results file or an \
            argument); 3 infrastructure failure (no PostgreSQL could be started or reached); \
            130/143 interrupted by SIGINT/SIGTERM.
            """,
        version: RehearseVersion.current,
        subcommands: [Run.self, Lint.self, Compare.self, AB.self, Report.self, Merge.self, Clean.self, ProfileCommand.self, Init.self])

    /// ArgumentParser exits 64 on a bad argument; the contract says 2 (invalid input).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Self.exit(withError: exit)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Self.exit(withError: error)  // --help, --version
            }
            printError(fullMessage(for: error))
            Foundation.exit(ExitStatus.invalid)
        }
    }
}

/// A message on standard error, through `OutgoingText`: secrets masked, control characters escaped.
func printError(_ text: String) {
    writeStandardError(OutgoingText.terminal(text))
}

/// Text the library already made safe (a rendered report with its colours).
func writeStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Expands folders into their `*.yaml`/`*.yml` files, in name order; none at all is invalid
/// input for `lint` as for `run` (a lint that passes on nothing proves nothing).
func scenarioFiles(_ paths: [String]) throws -> [URL] {
    var files: [URL] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path): no such file or folder")
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            files += names.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
        } else {
            files.append(URL(fileURLWithPath: path))
        }
    }
    guard !files.isEmpty else { throw ValidationError("no scenario files in \(paths.joined(separator: " "))") }
    // A file named twice (`scenarios/ scenarios/quickstart.yaml`) is one scenario, not two of one name.
    var seen = Set<String>()
    return files.filter { seen.insert($0.resolvingSymlinksInPath().standardizedFileURL.path).inserted }
}
