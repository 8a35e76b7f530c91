import Foundation
import PostgresClient

/// Finds the password in a connection string, so it can be masked wherever it appears.
public enum ConnectionSecrets {
    public static func password(in conninfo: String) -> String? {
        ConnectionInfo.parse(conninfo)?["password"]
    }

    /// Every form of the password a message may quote: as libpq parses it, and as written in a URL
    /// (raw, percent-decoded, and each part after an `@` in it: libpq ends the user info at the
    /// first `@`, and its error then quotes the rest, `pw@host`, as the host name). For a URL libpq refuses
    /// (`invalid percent-encoded token: "…"`), the user info whole, which its error quotes.
    public static func secrets(in conninfo: String) -> [String] {
        var found = [password(in: conninfo)].compactMap { $0 }
        guard let scheme = conninfo.range(of: "://") else { return found }
        let authority = conninfo[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return found }
        let userInfo = authority[..<at]
        if let colon = userInfo.firstIndex(of: ":") {
            let raw = userInfo[userInfo.index(after: colon)...]
            found += [String(raw), raw.removingPercentEncoding].compactMap { $0 }
            let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
            for i in parts.indices.dropFirst() {
                let tail = parts[i...].joined(separator: "@")
                found += [tail, tail + "@"]  // with its @: a tail too short to mask alone is still masked before the host
            }
        }
        if ConnectionInfo.parse(conninfo) == nil { found += [String(userInfo)] + userInfo.split(separator: ":").map(String.init) }
        return found
    }
}
