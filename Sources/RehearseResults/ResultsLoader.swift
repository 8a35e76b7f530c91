import Foundation
import RehearseSupport

/// Reads results documents from a file or a folder (recursively), with errors a user can act on.
public enum ResultsLoader {
    public static func load(_ path: String) throws -> [ResultsDocument] {
        try loadWithFiles(path).map(\.document)
    }

    /// The documents at `path` with the file each came from (as `path` spells it).
    public static func loadWithFiles(_ path: String) throws -> [(file: String, document: ResultsDocument)] {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RehearseError.invalidInput("\(path): no such file or folder")
        }
        var files: [URL] = []
        if isDirectory.boolValue {
            let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
            while let next = enumerator?.nextObject() as? URL {
                if next.pathExtension == "json" && !next.lastPathComponent.hasPrefix(".") { files.append(next) }
            }
            files.sort { $0.path < $1.path }
            guard !files.isEmpty else { throw RehearseError.invalidInput("\(path): no results documents (*.json) in this folder") }
        } else {
            files = [url]
        }
        return try files.map { (file: $0.relativePath, document: try loadFile($0)) }
    }

    static func loadFile(_ url: URL) throws -> ResultsDocument {
        if let problem = ResultsValidator.sizeProblem(of: url) { throw RehearseError.invalidInput(problem) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RehearseError.invalidInput("\(url.relativePath): cannot read: \(error.localizedDescription)")
        }
        do {
            let document = try ResultsCoding.decoder().decode(ResultsDocument.self, from: data)
            guard document.schemaVersion == 1 else {
                throw RehearseError.invalidInput(
                    "\(url.relativePath):1:1: schema_version \(document.schemaVersion) is not supported (this rehearse reads 1)")
            }
            if let problem = ResultsValidator.numberProblem(in: data) {
                throw RehearseError.invalidInput("\(url.relativePath):\(problem)")
            }
            return document
        } catch let error as DecodingError {
            throw RehearseError.invalidInput("\(url.relativePath):\(describe(error, data: data))")
        }
    }

    /// `line:column: message` for a decoding error, pointing at the key where possible.
    static func describe(_ error: DecodingError, data: Data) -> String {
        let bytes = [UInt8](data)
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\(JSONLocator.snakeCase($0.stringValue))" }.joined()
        }
        func position(_ context: DecodingError.Context) -> String {
            JSONLocator.lineAndColumn(of: JSONLocator.locate(context.codingPath, in: bytes), in: bytes)
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let (offset, reason) = JSONLocator.syntaxError(in: data)
            return "\(JSONLocator.lineAndColumn(of: offset, in: bytes)): not a valid results document: \(reason)"
        case .dataCorrupted(let context):
            return "\(position(context)): invalid value at \(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(position(context)): missing key \(path(context)).\(JSONLocator.snakeCase(key.stringValue))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(position(context)): wrong type at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "1:1: \(error)"
        }
    }
}

/// Finds where a decoding error is in a JSON text: the value at a coding path (keys
/// as the file spells them), or where the text stops being JSON.
enum JSONLocator {
    /// A Swift property name as the results file spells it (`latencyMs` → `latency_ms`).
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The byte offset of the deepest part of `path` found: a member's key, an array's element.
    static func locate(_ path: [any CodingKey], in bytes: [UInt8]) -> Int {
        var i = skipSpace(bytes, 0)
        var found = i
        for key in path {
            guard i < bytes.count else { break }
            if let index = key.intValue, bytes[i] == UInt8(ascii: "[") {
                i = skipSpace(bytes, i + 1)
                var n = 0
                while n < index, i < bytes.count, bytes[i] != UInt8(ascii: "]") {
                    i = skipSpace(bytes, skipValue(bytes, i))
                    if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i = skipSpace(bytes, i + 1) }
                    n += 1
                }
                guard n == index, i < bytes.count, bytes[i] != UInt8(ascii: "]") else { return found }
                found = i
            } else if bytes[i] == UInt8(ascii: "{") {
                let names = Set([key.stringValue, snakeCase(key.stringValue)].map { Array($0.utf8) })
                i = skipSpace(bytes, i + 1)
                var matched = false
                while i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                    let keyStart = i
                    let keyEnd = skipValue(bytes, i)
                    let name = Array(bytes[min(keyStart + 1, keyEnd)..<max(keyStart + 1, keyEnd - 1)])
                    i = skipSpace(bytes, keyEnd)
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return found }
                    i = skipSpace(bytes, i + 1)
                    if names.contains(name) {
                        found = keyStart
                        matched = true
                        break
                    }
                    i = skipSpace(bytes, skipValue(bytes, i))
                    if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i = skipSpace(bytes, i + 1) }
                }
                if !matched { return found }
            } else {
                return found
            }
        }
        return found
    }

    /// Where the text stops being JSON (its first byte that is not UTF-8, or the
    /// parser's reported position) and why.
    static func syntaxError(in data: Data) -> (Int, String) {
        let bytes = [UInt8](data)
        if let offset = UTF8Validation.firstInvalid(bytes) { return (offset, "not UTF-8 text") }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let description = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "not valid JSON"
            // "… around character 17." (or "line 3, column 5"): a character offset into the text.
            if let range = description.range(of: #"character (\d+)"#, options: .regularExpression),
                let n = Int(description[range].dropFirst("character ".count))
            {
                let text = String(decoding: bytes, as: UTF8.self)
                let index = text.index(text.startIndex, offsetBy: min(n, text.count))
                return (text.utf8.distance(from: text.startIndex, to: index), description)
            }
            return (bytes.count, description)
        }
        return (0, "not a results document")
    }

    /// `line:column` of a byte offset.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> String {
        let (line, column) = TextPosition.lineAndColumn(of: offset, in: bytes)
        return "\(line):\(column)"
    }

    private static func skipSpace(_ b: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// The end of the JSON value starting at `start` (just past it).
    private static func skipValue(_ b: [UInt8], _ start: Int) -> Int {
        guard start < b.count else { return start }
        var i = start
        switch b[i] {
        case UInt8(ascii: "\""):
            i += 1
            while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            return min(i + 1, b.count)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    i = skipValue(b, i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return i
        default:
            while i < b.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(b[i]) {
                i += 1
            }
            return i
        }
    }
}
