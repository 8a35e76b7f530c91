public import Foundation

/// The one boundary for text leaving rehearse: every results document, terminal line,
/// markdown, JUnit and HTML report passes through it. Secrets are masked (`SecretMasker`)
/// and control characters from server messages or command output (ESC, BEL, a carriage
/// return that rewrites the line) are shown as `\u{1B}` instead of acting on a terminal.
/// Masking here, once, instead of where each message is made: the review of issue 23
/// found six places (a hint, a check's value, a setting, a check name…) that did not.
public enum OutgoingText {
    /// A line or block for a terminal or markdown, or a value inside markup (HTML, XML) whose own
    /// escaping follows: masked, control characters but newline and tab escaped.
    public static func terminal(_ text: String) -> String {
        escapingControlCharacters(SecretMasker.mask(text))
    }

    static func escapingControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isEscaped) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isEscaped(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x0A && v != 0x09) || (0x7F...0x9F).contains(v)
    }

    /// A JSON text with every string in it (keys too) masked. Each string literal is decoded,
    /// masked and written again only when masking changed it, so the rest stays byte for byte.
    /// (Masking the JSON text whole would let `password=…` run past a string's closing quote.)
    public static func json(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\"") else {
                out.append(bytes[i])
                i += 1
                continue
            }
            var end = i + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
            end = min(end + 1, bytes.count)
            let literal = Array(bytes[i..<end])
            out += maskedLiteral(literal) ?? literal
            i = end
        }
        return Data(out)
    }

    /// The literal re-encoded when masking changes its string, or nil.
    private static func maskedLiteral(_ literal: [UInt8]) -> [UInt8]? {
        let string: String
        if literal.count >= 2, !literal.contains(UInt8(ascii: "\\")) {
            string = String(decoding: literal.dropFirst().dropLast(), as: UTF8.self)  // no escapes: the text as it is
        } else if let decoded = try? JSONSerialization.jsonObject(with: Data(literal), options: [.fragmentsAllowed]) as? String {
            string = decoded
        } else {
            return nil
        }
        let masked = SecretMasker.mask(string)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard masked != string, let encoded = try? encoder.encode(masked) else { return nil }
        return [UInt8](encoded)
    }
}
