import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A CSV file open for reading, closed when the last value holding it (a reader, a
/// splitter, or one of their copies) goes away.
final class CSVFile: Sendable {
    let fd: Int32

    /// Opens `url` read-only, or fails naming the file.
    init(reading url: URL) throws(CSVError) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CSVError(file: url.path, line: 0, message: "cannot open: \(String(cString: strerror(errno)))") }
        self.fd = fd
    }

    deinit { close(fd) }
}
