import Foundation
import PostgresClient
import RehearseScenario
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The `run` step: an external command pointed at the disposable database.
enum RunCommand {
    static let outputLimit = 64 * 1024

    static func run(_ spec: RunSpec, context: StepContext) async -> StepMeasurement {
        var measurement = StepMeasurement()
        let params = context.host.connectionParameters(database: context.database)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["PGHOST"] = params["host"]
        environment["PGPORT"] = params["port"]
        environment["PGUSER"] = params["user"]
        environment["PGDATABASE"] = context.database
        if let password = params["password"] { environment["PGPASSWORD"] = password }
        environment["DATABASE_URL"] = ConnectionInfo.url(params)
        for (key, value) in spec.environment { environment[key] = value }

        var command = spec.command
        var cgroup: ServerMemoryCap?
        var scratch: URL?
        defer {
            // A group that will not go keeps its run folder, for the next run's reaper.
            if cgroup?.remove() != false, let scratch { try? FileManager.default.removeItem(at: scratch) }
        }
        if let limit = context.memoryLimit {
            // The same mechanisms as the server's cap, on this process only. The cap's
            // cgroup is named in a run folder with an owner file, so that if rehearse is
            // killed outright the next run reaps the group and whatever still runs in it.
            do {
                let folder = try RunDirectories.shared.makeRunDirectory()
                scratch = folder
                let cap = try ServerMemoryCap.prepare(bytes: limit, runDirectory: folder)
                command = cap.wrap(command)
                cgroup = cap
                measurement.memoryCap = .enforced(cap.enforcement.rawValue)
            } catch {
                let reason = "\(error)"
                if let refused = StepMeasurement.cannotEnforceMemoryCap(reason, context: context) { return refused }
                measurement.memoryCap = .notApplied(reason: reason)
            }
        }
        let start = monotonicNanos()
        let child: ChildProcess
        let output: UnlinkedTempFile
        do {
            output = try UnlinkedTempFile()
            child = try ChildProcess.spawn(
                command, environment: environment, workingDirectory: spec.workingDirectory, output: output)
        } catch {
            measurement.fail(message: "cannot start \(spec.command.first ?? ""): \(error)")
            return measurement
        }
        let termination = await withTaskCancellationHandler {
            await child.wait()
        } onCancel: {
            child.signal(SIGTERM, group: true)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { child.signal(SIGKILL, group: true) }
        }
        let elapsed = monotonicNanos() - start
        measurement.record(batchNanos: elapsed)
        measurement.exitCode = Int(termination.exitCode)
        measurement.clientMemoryPeak = max(termination.maxRSSBytes, cgroup?.cgroupPeak() ?? 0)
        measurement.output = SecretMasker.mask(readTail(output.handle))
        if !termination.succeeded {
            measurement.errors["exit"] = 1
            let why =
                termination.signal.map {
                    "killed by signal \($0)" + ($0 == 9 && context.memoryLimit != nil ? " (out of memory under its cap?)" : "")
                }
                ?? "exited with code \(termination.exitCode)"
            measurement.fail(message: "\(spec.command.joined(separator: " ")) \(why)")
        }
        return measurement
    }

    private static func readTail(_ handle: FileHandle) -> String {
        let size = (try? handle.seekToEnd()) ?? 0
        if size > UInt64(outputLimit) { try? handle.seek(toOffset: size - UInt64(outputLimit)) } else { try? handle.seek(toOffset: 0) }
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return size > UInt64(outputLimit) ? "[… \(size - UInt64(outputLimit)) bytes cut]\n" + text : text
    }
}
