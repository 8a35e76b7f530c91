import Foundation

/// The machine a run happened on, for the results' `environment`.
enum MachineFacts {
    static var os: String {
        let pretty = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }?
            .dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(pretty ?? "Linux") (kernel \(release))"
    }

    static var cpuModel: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        for line in info.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
        }
        return "unknown"
    }

    static var cpuCount: Int { ProcessInfo.processInfo.activeProcessorCount }
    static var memoryBytes: Int64 { Int64(ProcessInfo.processInfo.physicalMemory) }

    static func gitCommit(near directory: URL) async -> String? {
        guard let (t, out) = try? await ChildProcess.run(["git", "-C", directory.path, "rev-parse", "HEAD"]), t.succeeded
        else { return nil }
        let commit = out.trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.count == 40 ? commit : nil
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
