public import Foundation

/// A folder of one test suite instance's own, removed with it (Swift Testing makes a
/// suite instance per test): the files a test writes for the code under test to read.
public final class TemporaryFolder: Sendable {
    public let url: URL

    public init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to a file of the folder, under `name` or a fresh one.
    public func file(_ bytes: [UInt8], name: String? = nil) throws -> URL {
        let file = url.appendingPathComponent(name ?? "\(UUID().uuidString).csv")
        try Data(bytes).write(to: file)
        return file
    }

    /// Writes `text` (UTF-8) to a file of the folder, under `name` or a fresh one.
    public func file(_ text: String, name: String? = nil) throws -> URL {
        try file(Array(text.utf8), name: name)
    }
}
