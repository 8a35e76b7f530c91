import Foundation
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary file that has no name: made and unlinked at once, so whatever ends
/// rehearse (SIGKILL included) leaves nothing in the temporary folder. A child's
/// output goes to its descriptor; reading starts from the beginning.
final class UnlinkedTempFile: Sendable {
    let handle: FileHandle

    var descriptor: Int32 { handle.fileDescriptor }

    init() throws {
        var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("rehearse-out-XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw RehearseError.infrastructure("cannot make a temporary file: \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        // Not inherited by other children: only the one it is handed to (dup2) writes to it.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Everything written so far, as UTF-8 text.
    func text() -> String {
        try? handle.seek(toOffset: 0)
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }
}
