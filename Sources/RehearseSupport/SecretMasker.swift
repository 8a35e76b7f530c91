import Foundation
import Synchronization

/// Masks credentials in text that leaves rehearse: connection strings, URLs, command output.
public enum SecretMasker {
    private static let patterns: [NSRegularExpression] = [
        // scheme://user:password@host, up to the last @ before the path: a password may hold an @
        try! NSRegularExpression(pattern: #"([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)([^\s/]+)(@)"#),
        // password=secret or password='secret'
        try! NSRegularExpression(pattern: #"((?i:password|passwd|pwd)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&;]+)()"#),
        // PGPASSWORD=secret
        try! NSRegularExpression(pattern: #"((?i:PGPASSWORD)\s*[=:]\s*)(\S+)()"#),
    ]

    /// Secrets known to this process (PGPASSWORD, passwords in --server) are masked wherever they appear.
    private static let known = Mutex<[String]>([])

    public static func register(secret: String) {
        guard secret.count >= 3 else { return }
        known.withLock { known in
            if !known.contains(secret) { known.append(secret) }
        }
    }

    public static func mask(_ text: String) -> String {
        let secrets = known.withLock { $0 }
        // Every text leaving rehearse passes here (OutgoingText), histograms' base64 included:
        // the regular expressions run only on text that has what each of them needs.
        let mayHoldPattern =
            text.contains("://") || text.range(of: "pass", options: .caseInsensitive) != nil
            || text.range(of: "pwd", options: .caseInsensitive) != nil
        guard mayHoldPattern || secrets.contains(where: text.contains) else { return text }
        var result = text
        for pattern in patterns where mayHoldPattern {
            let range = NSRange(result.startIndex..., in: result)
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: "$1*****$3")
        }
        for secret in secrets { result = result.replacingOccurrences(of: secret, with: "*****") }
        return result
    }
}
