import CLibPQ
import Foundation

/// Connection strings and URLs as libpq understands them.
public enum ConnectionInfo {
    /// The keywords of a connection string or URL, as libpq parses it (nil when it does not parse).
    public static func parse(_ conninfo: String) -> [String: String]? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return result
    }

    /// The parse error libpq gives for a bad string.
    public static func parseError(_ conninfo: String) -> String? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &errorMessage) {
            PQconninfoFree(options)
            return nil
        }
        defer { if let errorMessage { PQfreemem(errorMessage) } }
        return errorMessage.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// A `postgresql://` URL for the parameters (for `DATABASE_URL`).
    public static func url(_ params: [String: String]) -> String {
        func encode(_ s: String) -> String {
            s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
                ?? s
        }
        var text = "postgresql://"
        if let user = params["user"] {
            text += encode(user)
            if let password = params["password"] { text += ":" + encode(password) }
            text += "@"
        }
        let host = params["host"] ?? ""
        var query: [String] = []
        if host.hasPrefix("/") {
            query.append("host=" + encode(host))
        } else {
            text += host
        }
        if let port = params["port"] {
            if host.hasPrefix("/") || host.isEmpty { query.append("port=\(port)") } else { text += ":\(port)" }
        }
        text += "/" + encode(params["dbname"] ?? "")
        for key in ["sslmode", "application_name"] { if let v = params[key] { query.append("\(key)=\(encode(v))") } }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }
}
