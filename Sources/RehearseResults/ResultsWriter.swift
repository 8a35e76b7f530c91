public import Foundation
import RehearseSupport

/// Writes results documents atomically: a temporary file in the same folder,
/// flushed, then renamed, so a crash never leaves half a document.
public enum ResultsWriter {
    /// Writes to `<dir>/<scenario>/<UTC timestamp>-<run id><suffix>.json` and returns the path
    /// (`suffix` is `.pg16` for a run on an asked-for version, else empty).
    @discardableResult
    public static func write(_ document: ResultsDocument, under directory: URL, suffix: String = "") throws -> URL {
        let folder = directory.appendingPathComponent(document.scenario.name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stamp = document.run.startedAt.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let url = folder.appendingPathComponent("\(stamp)-\(document.run.id)\(suffix).json")
        try write(document, to: url)
        return url
    }

    public static func write(_ document: ResultsDocument, to url: URL) throws {
        let data = OutgoingText.json(try ResultsCoding.encoder().encode(document))
        try writeAtomically(data, to: url)
    }

    /// Temporary file beside the target, fsync, rename (Foundation's `.atomic` leaves folders in /tmp on Linux).
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: nil) else {
            throw RehearseError.infrastructure("cannot write \(temp.path)")
        }
        let handle = try FileHandle(forWritingTo: temp)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
        guard rename(temp.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temp)
            throw RehearseError.infrastructure("cannot rename \(temp.path) to \(url.path)")
        }
    }
}
