import BlockingThreads
import Foundation
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with posix_spawn and reaped with wait4 on a
/// dedicated thread, so its peak memory (ru_maxrss) is known and waiting
/// never blocks Swift's cooperative pool.
final class ChildProcess: Sendable {
    struct Termination: Sendable {
        var exitCode: Int32
        var signal: Int32?
        /// Peak resident set size of the child (and its waited-for descendants), bytes.
        var maxRSSBytes: Int64
        var succeeded: Bool { signal == nil && exitCode == 0 }
    }

    let pid: pid_t
    /// The cleanup that kills this child if the run is torn down while it runs (a `cp -a`
    /// that would otherwise recreate a removed run folder); dropped once it is reaped.
    private let cleanupToken: Int

    private init(pid: pid_t, group: Bool) {
        self.pid = pid
        cleanupToken = CleanupRegistry.shared.register("kill child \(pid)") { Self.killNow(pid: pid, group: group) }
    }

    /// Starts `arguments[0]` (searched in PATH) with the given environment;
    /// stdout and stderr go to `output` (a descriptor), else `outputFile` (appended), else /dev/null.
    static func spawn(
        _ arguments: [String], environment: [String: String]? = nil, workingDirectory: URL? = nil,
        outputFile: URL? = nil, output: UnlinkedTempFile? = nil, newProcessGroup: Bool = true
    ) throws -> ChildProcess {
        precondition(!arguments.isEmpty)
        // Swift's Glibc module does not export posix_spawn_file_actions_addchdir_np; coreutils' env changes folder.
        let arguments = workingDirectory.map { ["env", "-C", $0.path, "--"] + arguments } ?? arguments
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        let outPath = outputFile?.path ?? "/dev/null"
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        if let output {
            posix_spawn_file_actions_adddup2(&fileActions, output.descriptor, 1)
        } else {
            posix_spawn_file_actions_addopen(&fileActions, 1, outPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        }
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int16(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, flags)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGQUIT, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStringArray(arguments) { argv in
            withCStringArray(env) { envp in
                posix_spawnp(&pid, arguments[0], &fileActions, &attributes, argv, envp)
            }
        }
        guard status == 0 else {
            throw RehearseError.infrastructure("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid, group: newProcessGroup)
    }

    /// Waits for the process to end, on a thread of its own.
    func wait() async -> Termination {
        let pid = self.pid
        let token = cleanupToken
        return await runBlocking(name: "rehearse-wait") {
            var status: Int32 = 0
            var usage = rusage()
            var result: pid_t
            repeat { result = wait4(pid, &status, 0, &usage) } while result == -1 && errno == EINTR
            let termination: Termination
            if result == -1 {
                termination = Termination(exitCode: -1, signal: nil, maxRSSBytes: 0)
            } else if (status & 0x7f) == 0 {
                termination = Termination(
                    exitCode: (status >> 8) & 0xff, signal: nil, maxRSSBytes: Int64(usage.ru_maxrss) * 1024)
            } else {
                termination = Termination(
                    exitCode: 128 + (status & 0x7f), signal: status & 0x7f,
                    maxRSSBytes: Int64(usage.ru_maxrss) * 1024)
            }
            CleanupRegistry.shared.unregister(token)
            return termination
        }
    }

    func signal(_ signal: Int32, group: Bool = false) {
        _ = kill(group ? -pid : pid, signal)
    }

    /// Whether the child has not exited yet. `kill(pid, 0)` succeeds on a zombie, so a
    /// server that died at start looked alive until a deadline; waitid with WNOWAIT sees
    /// the exit at once and leaves the reaping to `wait()`.
    var isAlive: Bool { Self.isRunning(pid) }

    static func isRunning(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        // ECHILD: already reaped (or never ours): not running as far as we can act on it.
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return false }
        return info._sifields._kill.si_pid == 0
    }

    /// For cleanups: SIGKILL to the child (and its group) and a bounded wait for its exit,
    /// so that nothing it does lands after the cleanup that follows.
    private static func killNow(pid: pid_t, group: Bool) {
        guard isRunning(pid) else { return }
        _ = Glibc.kill(group ? -pid : pid, SIGKILL)
        var waited = 0
        while isRunning(pid) && waited < 300 {
            usleep(10_000)
            waited += 1
        }
    }

    /// Runs a command to completion and returns its exit status and output.
    static func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> (Termination, String) {
        let output = try UnlinkedTempFile()
        let child = try spawn(arguments, environment: environment, output: output)
        let termination = await child.wait()
        return (termination, output.text())
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
