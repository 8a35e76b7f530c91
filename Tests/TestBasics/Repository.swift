public import Foundation

/// Where the tests find the checkout, the built binary and the shared pagila dump.
public enum Repository {
    /// The checkout: two folders up from this file (Tests/TestBasics/).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardizedFileURL

    /// The example suite.
    public static let scenarios = root.appendingPathComponent("scenarios")

    /// The debug build of the `rehearse` executable (`swift build` makes it; `swift build --build-tests` too).
    public static let rehearseBinary = root.appendingPathComponent(".build/debug/rehearse")

    /// The pagila dump shared by the project (read in place, never copied):
    /// `$REHEARSE_PAGILA_DIR`, else `shared/data/pagila` beside the checkout, else the
    /// workplace's `/work/shared` (a clone made elsewhere, as CI may).
    public static let pagila: URL = {
        if let path = ProcessInfo.processInfo.environment["REHEARSE_PAGILA_DIR"] {
            return URL(fileURLWithPath: path)
        }
        let beside = root.appendingPathComponent("../shared/data/pagila").standardizedFileURL
        if FileManager.default.fileExists(atPath: beside.path) { return beside }
        return URL(fileURLWithPath: "/work/shared/data/pagila")
    }()

    public static var hasPagila: Bool {
        FileManager.default.fileExists(atPath: pagila.appendingPathComponent("pagila-data.sql").path)
    }
}
