import Foundation

/// What a results document must be beyond its types, checked before `compare`, `report`
/// and `run --baseline` use it: at most `maxBytes` (a 224 MB file made `compare` take
/// 1.8 GB and 34 s), and every number finite, within ±2^53, and not negative unless it
/// is a value a scenario chose (a check's `expected`/`actual`, a fault's `observed`, a
/// process's `exit_code`). A negative count or a 1e308 latency was compared silently.
enum ResultsValidator {
    /// A results document holds percentiles and compressed histograms, a few MB for hours of traffic.
    static let maxBytes = 64 << 20
    /// The largest whole number a double holds exactly: no count, time or size comes near it.
    static let maxMagnitude: Double = 9_007_199_254_740_992
    /// Keys whose values come from the scenario or the system, not from measuring: they may be negative.
    /// A synthesize step's `fidelity` holds correlations, from -1 to 1; a prediction's fitted
    /// line (`intercept`, `slope`) may cross zero.
    static let signedKeys: Set<String> = ["expected", "actual", "observed", "exit_code", "fidelity", "intercept", "slope"]

    /// `file: the file is … bytes…` when the file is too large to read, or nil.
    static func sizeProblem(of url: URL) -> String? {
        let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        guard size > maxBytes else { return nil }
        return "\(url.relativePath): the file is \(size) bytes; a results document is at most \(maxBytes >> 20) MiB"
    }

    /// `line:column: message` of the first number out of range, or nil. One pass over the text
    /// (a document the decoder accepted), keeping only the path to the current value: parsing the
    /// text a second time into a tree cost more than decoding it.
    static func numberProblem(in data: Data) -> String? {
        let bytes = [UInt8](data)
        var open: [Frame] = []
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let signed = open.last.map { $0.signed || $0.key.map(signedKeys.contains) == true } ?? false
                open.append(Frame(isObject: bytes[i] == UInt8(ascii: "{"), signed: signed))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = open.popLast()
                i += 1
            case UInt8(ascii: ","):
                if let top = open.indices.last {
                    if open[top].isObject { open[top].key = nil } else { open[top].index += 1 }
                }
                i += 1
            case UInt8(ascii: "\""):
                var end = i + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                if let top = open.indices.last, open[top].isObject, open[top].key == nil {
                    open[top].key = String(decoding: bytes[(i + 1)..<min(end, bytes.count)], as: UTF8.self)
                }
                i = end + 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var end = i
                while end < bytes.count, Self.numberBytes.contains(bytes[end]) { end += 1 }
                let text = String(decoding: bytes[i..<end], as: UTF8.self)
                let signed = open.last.map { $0.signed || $0.key.map(signedKeys.contains) == true } ?? false
                if let message = problem(text, signed: signed) {
                    let path = open.map { $0.isObject ? ".\($0.key ?? "")" : "[\($0.index)]" }.joined()
                    return "\(JSONLocator.lineAndColumn(of: i, in: bytes)): invalid value at \(path): \(message)"
                }
                i = end
            default:
                i += 1
            }
        }
        return nil
    }

    private static let numberBytes = Set("-+.eE0123456789".utf8)

    private static func problem(_ text: String, signed: Bool) -> String? {
        guard let n = Double(text), n.isFinite, abs(n) <= maxMagnitude else {
            return "\(text) is out of range (a number in a results document is within ±2^53)"
        }
        return n < 0 && !signed ? "\(text) is negative; a count, time or size never is" : nil
    }

    /// An object or array around the current value: the member's key, or the element's index.
    private struct Frame {
        var isObject: Bool
        var signed: Bool
        var key: String?
        var index = 0

        init(isObject: Bool, signed: Bool) {
            self.isObject = isObject
            self.signed = signed
        }
    }
}
