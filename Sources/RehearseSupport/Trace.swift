import Foundation

/// `REHEARSE_TRACE=1` prints where a run spends its time (milliseconds since start) on stderr.
package enum Trace {
    static let enabled = ProcessInfo.processInfo.environment["REHEARSE_TRACE"] != nil
    static let start = monotonicNanos()

    package static func mark(_ what: @autoclosure () -> String) {
        guard enabled else { return }
        let origin = start
        let ms = Double(monotonicNanos() - origin) / 1e6
        FileHandle.standardError.write(Data(String(format: "[%8.1f ms] %@\n", ms, what()).utf8))
    }
}
