package import Foundation

extension URL {
    /// This file's path inside `directory` (`sub/file.sql`), or nil when it is not inside
    /// it; both are standardized first (`.` and `..`), symlinks are not followed. The one
    /// relative-path helper, for messages that name a file the way the user laid it out.
    package func path(inside directory: URL) -> String? {
        let base = directory.standardizedFileURL.path
        let path = standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : nil
    }
}
