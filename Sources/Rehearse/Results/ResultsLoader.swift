import Foundation

/// Reads results documents from a file or a folder (recursively), with errors a user can act on.
public enum ResultsLoader {
    public static func load(_ path: String) throws -> [ResultsDocument] {
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
        return try files.map(loadFile)
    }

    static func loadFile(_ url: URL) throws -> ResultsDocument {
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
            return document
        } catch let error as DecodingError {
            throw RehearseError.invalidInput("\(url.relativePath):\(describe(error, data: data))")
        }
    }

    /// `line:column: message` for a decoding error, pointing at the key where possible.
    static func describe(_ error: DecodingError, data: Data) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        func position(of key: String?) -> String {
            guard let key, let text = String(data: data, encoding: .utf8),
                let range = text.range(of: "\"\(key)\"")
            else { return "1:1" }
            let before = text[..<range.lowerBound]
            let line = before.filter { $0 == "\n" }.count + 1
            let column =
                before.distance(from: before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex, to: before.endIndex)
                + 1
            return "\(line):\(column)"
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            return "1:1: not a valid results document: \(underlying ?? context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(position(of: context.codingPath.last?.stringValue)): missing key \(path(context)).\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(position(of: context.codingPath.last?.stringValue)): wrong type at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "1:1: \(error)"
        }
    }
}
