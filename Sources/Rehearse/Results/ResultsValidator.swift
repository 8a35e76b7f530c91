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
    static let signedKeys: Set<String> = ["expected", "actual", "observed", "exit_code"]

    /// `file: the file is … bytes…` when the file is too large to read, or nil.
    static func sizeProblem(of url: URL) -> String? {
        let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        guard size > maxBytes else { return nil }
        return "\(url.relativePath): the file is \(size) bytes; a results document is at most \(maxBytes >> 20) MiB"
    }

    /// `line:column: message` of the first number out of range, or nil. Text that is not
    /// JSON is left to the decoder, whose errors say where it stops being JSON.
    static func numberProblem(in data: Data) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        var path: [PathKey] = []
        guard let (message, at) = firstProblem(json, path: &path, signed: false) else { return nil }
        let bytes = [UInt8](data)
        let position = JSONLocator.lineAndColumn(of: JSONLocator.locate(at, in: bytes), in: bytes)
        let spelled = at.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return "\(position): invalid value at \(spelled): \(message)"
    }

    private static func firstProblem(_ value: Any, path: inout [PathKey], signed: Bool) -> (String, [PathKey])? {
        switch value {
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                path.append(PathKey(stringValue: key))
                defer { path.removeLast() }
                if let found = firstProblem(object[key]!, path: &path, signed: signed || signedKeys.contains(key)) { return found }
            }
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                path.append(PathKey(intValue: index))
                defer { path.removeLast() }
                if let found = firstProblem(element, path: &path, signed: signed) { return found }
            }
        case let number as NSNumber:
            let n = number.doubleValue
            if !n.isFinite || abs(n) > maxMagnitude {
                return ("\(n) is out of range (a number in a results document is within ±2^53)", path)
            }
            if n < 0 && !signed { return ("\(n) is negative; a count, time or size never is", path) }
        default: break
        }
        return nil
    }

    /// A key of the path to a value, as `JSONLocator` finds it in the text.
    struct PathKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) {
            self.stringValue = "\(intValue)"
            self.intValue = intValue
        }
    }
}
