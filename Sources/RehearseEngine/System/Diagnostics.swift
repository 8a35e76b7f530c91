public import Foundation
public import Logging
import RehearseSupport

/// Diagnostics for whoever debugs rehearse: where a run spends its time and what it is
/// doing, through swift-log with the scenario and step as metadata. Silent unless
/// `REHEARSE_LOG_LEVEL` (trace, debug, info, notice, warning, error, critical) or
/// `REHEARSE_TRACE=1` (debug) asks. What users read (summaries, errors, progress) never
/// goes through it.
public enum Diagnostics {
    package static let logger = Logger(label: "rehearse")
    private static let start = monotonicNanos()

    /// A milestone of a run, with the milliseconds since the first one.
    package static func mark(_ what: @autoclosure () -> String, _ fields: [String: String] = [:]) {
        guard logger.logLevel <= .debug else { return }
        var metadata = fields.mapValues { Logger.MetadataValue.string($0) }
        let origin = start  // read first: a static is set on first use, which may be this one
        metadata["elapsed_ms"] = "\(String(format: "%.1f", Double(monotonicNanos() - origin) / 1e6))"
        logger.debug("\(what())", metadata: metadata)
    }

    /// The level the environment asks for; nil when it asks for none.
    public static func level(in environment: [String: String]) -> Logger.Level? {
        if let name = environment["REHEARSE_LOG_LEVEL"], let level = Logger.Level(rawValue: name.lowercased()) { return level }
        return environment["REHEARSE_TRACE"] != nil ? .debug : nil
    }

    /// Sends diagnostics to standard error at the level the environment asks for (none by default).
    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let level = self.level(in: environment)
        LoggingSystem.bootstrap { label in
            var handler = DiagnosticsHandler(label: label)
            handler.logLevel = level ?? .critical
            handler.silent = level == nil
            return handler
        }
    }
}

/// One line per event on standard error, made safe by `OutgoingText` like every other line
/// rehearse writes (secrets masked, control characters escaped).
struct DiagnosticsHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var silent = false

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard !silent else { return }
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = all.keys.sorted().map { "\($0)=\(all[$0].map { "\($0)" } ?? "")" }.joined(separator: " ")
        let line = "[\(event.level)] \(event.message)\(fields.isEmpty ? "" : " \(fields)")"
        FileHandle.standardError.write(Data((OutgoingText.terminal(line) + "\n").utf8))
    }
}
