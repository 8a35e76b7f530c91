import Foundation
public import RehearseSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ResultsWriter {
    /// Checks, before anything runs, that results can be written where `run` will write them:
    /// `folder` is a folder (or can be created) that this user may write into, and none of
    /// `entries` inside it is in the way. A run that finds out only when it writes has spent
    /// its whole length for nothing.
    ///
    /// - Parameters:
    ///   - option: the option that named the folder, for the message (`--out`).
    ///   - entries: what `run` will create inside, e.g. a folder per scenario name.
    public static func checkWritable(
        folder path: String, option: String, entries: [(name: String, isFolder: Bool)] = []
    ) throws(RehearseError) {
        var ancestor = URL(fileURLWithPath: path).standardizedFileURL
        var info = stat()
        while stat(ancestor.path, &info) != 0 {
            guard errno == ENOENT || errno == ENOTDIR else {
                throw .invalidInput("\(option): cannot use \(path): \(ancestor.path): \(String(cString: strerror(errno)))")
            }
            ancestor.deleteLastPathComponent()
        }
        let existing = ancestor.path == URL(fileURLWithPath: path).standardizedFileURL.path
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .invalidInput(
                existing
                    ? "\(option): \(path) is a file, not a folder"
                    : "\(option): cannot create the folder \(path): \(ancestor.path) is a file")
        }
        guard access(ancestor.path, W_OK | X_OK) == 0 else {
            throw .invalidInput(
                "\(option): cannot \(existing ? "write into" : "create the folder \(path) in") \(ancestor.path): \(String(cString: strerror(errno)))"
            )
        }
        guard existing else { return }
        let folder = URL(fileURLWithPath: path)
        for entry in entries {
            let url = folder.appendingPathComponent(entry.name)
            guard stat(url.path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT == S_IFDIR) != entry.isFolder {
                throw .invalidInput(
                    "\(option): \(url.path) is in the way: it is \(entry.isFolder ? "not a folder" : "a folder")")
            }
        }
    }
}
