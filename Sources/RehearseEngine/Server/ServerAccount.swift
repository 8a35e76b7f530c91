import Foundation
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The account the embedded server runs as.
///
/// PostgreSQL refuses to run as root. When rehearse itself runs as root (as CI
/// does), the server runs as an unprivileged account (`postgres` when it
/// exists, or `REHEARSE_SERVER_USER`), started through `setpriv`.
struct ServerAccount: Sendable {
    var name: String
    var uid: uid_t
    var gid: gid_t
    /// Whether commands must switch to this account.
    var needsSwitch: Bool

    static func current() throws -> ServerAccount {
        let uid = getuid()
        guard uid == 0 else {
            let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "\(uid)"
            return ServerAccount(name: name, uid: uid, gid: getgid(), needsSwitch: false)
        }
        let wanted = ProcessInfo.processInfo.environment["REHEARSE_SERVER_USER"] ?? "postgres"
        guard let entry = getpwnam(wanted) else {
            throw RehearseError.infrastructure(
                "rehearse runs as root and PostgreSQL refuses to run as root, but there is no account '\(wanted)' "
                    + "to run the server as. Create one (useradd --system --no-create-home postgres, or install the "
                    + "postgresql package, which creates it), or set REHEARSE_SERVER_USER to an unprivileged account.")
        }
        return ServerAccount(
            name: wanted, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, needsSwitch: true)
    }

    /// Prefixes a command so it runs as this account.
    func command(_ arguments: [String]) -> [String] {
        guard needsSwitch else { return arguments }
        return ["setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"] + arguments
    }

    /// Hands a file or folder (recursively) to this account.
    func own(_ url: URL) throws {
        guard needsSwitch else { return }
        try Self.chownRecursive(url.path, uid: uid, gid: gid)
    }

    private static func chownRecursive(_ path: String, uid: uid_t, gid: gid_t) throws {
        guard lchown(path, uid, gid) == 0 else {
            throw RehearseError.infrastructure("cannot hand \(path) to the server account: \(String(cString: strerror(errno)))")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                try chownRecursive(path + "/" + child, uid: uid, gid: gid)
            }
        }
    }
}
