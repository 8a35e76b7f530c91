import Foundation
import Yams

/// Reads typed values out of a Yams node tree and collects every problem
/// with the file, line, column and key where it is.
final class YAMLReader {
    let file: String
    private(set) var errors: [ScenarioError] = []
    /// Where each key path was written (its key's position), for checks that run after the whole tree is read.
    private(set) var keyLocations: [String: SourceLocation] = [:]
    private var visited = 0
    static let maxNodes = 200_000
    static let maxDepth = 64

    init(file: String) { self.file = file }

    func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1)
    }

    func fail(_ node: Node?, _ key: String, _ message: String) {
        let loc = location(node)
        let error = ScenarioError(file: file, line: loc.line, column: loc.column, key: key, message: message)
        if !errors.contains(error) { errors.append(error) }
    }

    func fail(at location: SourceLocation, _ key: String, _ message: String) {
        // The location's own file: a problem may be in a file the scenario names (a pgbench script).
        let error = ScenarioError(file: location.file, line: location.line, column: location.column, key: key, message: message)
        if errors.contains(error) { return }
        errors.append(error)
    }

    func fail(path: String, _ message: String) {
        fail(at: keyLocations[path] ?? SourceLocation(file: file, line: 1, column: 1), path, message)
    }

    /// Checks the tree's size and depth before anything reads it (alias expansion, deep nesting).
    func checkShape(_ node: Node, depth: Int = 0) -> Bool {
        visited += 1
        if visited > Self.maxNodes {
            fail(node, "", "the document has more than \(Self.maxNodes) nodes (an alias expansion?); scenarios are small")
            return false
        }
        if depth > Self.maxDepth {
            fail(node, "", "nesting deeper than \(Self.maxDepth) levels")
            return false
        }
        switch node {
        case .mapping(let m):
            for (k, v) in m { guard checkShape(k, depth: depth + 1), checkShape(v, depth: depth + 1) else { return false } }
        case .sequence(let s):
            for v in s { guard checkShape(v, depth: depth + 1) else { return false } }
        case .alias:
            fail(node, "", "YAML aliases are not supported in scenarios")
            return false
        case .scalar: break
        }
        return true
    }

    /// The pairs of a mapping; unknown keys and duplicates are reported.
    func mapping(_ node: Node, _ key: String, allowed: [String]) -> [(key: String, node: Node, keyNode: Node)]? {
        guard case .mapping(let m) = node else {
            fail(node, key, "expected a mapping (key: value pairs), found \(describe(node))")
            return nil
        }
        var seen = Set<String>()
        var result: [(String, Node, Node)] = []
        for (k, v) in m {
            guard case .scalar(let s) = k else {
                fail(k, key, "keys must be plain names")
                continue
            }
            let name = s.string
            let path = key.isEmpty ? name : "\(key).\(name)"
            if !allowed.isEmpty && !allowed.contains(name) {
                let hint = Self.suggestion(for: name, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                fail(k, path, "unknown key '\(name)'\(hint)")
                continue
            }
            if !seen.insert(name).inserted {
                fail(k, path, "duplicate key '\(name)'")
                continue
            }
            keyLocations[path] = location(k)
            result.append((name, v, k))
        }
        return result
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let s): s.string.isEmpty ? "an empty value" : "'\(s.string)'"
        case .alias: "an alias"
        }
    }

    func scalar(_ node: Node, _ key: String) -> String? {
        guard case .scalar(let s) = node else {
            fail(node, key, "expected a single value, found \(describe(node))")
            return nil
        }
        return s.string
    }

    func string(_ node: Node, _ key: String, nonEmpty: Bool = true) -> String? {
        guard let s = scalar(node, key) else { return nil }
        if nonEmpty && s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fail(node, key, "must not be empty")
            return nil
        }
        return s
    }

    /// One of an enumeration's spellings; the error lists them all.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ key: String, as type: T.Type) -> T? where T.RawValue == String {
        guard let s = scalar(node, key) else { return nil }
        if let value = T(rawValue: s) { return value }
        let names = T.allCases.map(\.rawValue)
        var list = names.joined()
        if names.count > 1, let last = names.last { list = names.dropLast().joined(separator: ", ") + " or " + last }
        fail(node, key, "expected \(list), found '\(s)'")
        return nil
    }

    func int(_ node: Node, _ key: String, min: Int = Int.min, max: Int = Int.max) -> Int? {
        guard let s = scalar(node, key) else { return nil }
        let digits = s.replacingOccurrences(of: "_", with: "")
        guard let n = Int(digits) else {
            // A whole number too long for Int is out of range, not malformed.
            let whole = digits.drop(while: { $0 == "-" || $0 == "+" })
            let tooLong = !whole.isEmpty && whole.allSatisfy(\.isASCII) && whole.allSatisfy(\.isNumber)
            fail(node, key, tooLong ? rangeMessage(min, max, found: s) : "expected a whole number, found '\(s)'")
            return nil
        }
        guard n >= min && n <= max else {
            fail(node, key, rangeMessage(min, max, found: s))
            return nil
        }
        return n
    }

    private func rangeMessage(_ min: Int, _ max: Int, found: String) -> String {
        max == Int.max ? "must be at least \(min), found \(found)" : "must be between \(min) and \(max), found \(found)"
    }

    func bool(_ node: Node, _ key: String) -> Bool? {
        guard let s = scalar(node, key) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(node, key, "expected true or false, found '\(s)'")
            return nil
        }
    }

    func duration(_ node: Node, _ key: String) -> Duration? {
        guard let s = scalar(node, key) else { return nil }
        switch Units.parseDuration(s) {
        case .success(let d): return d
        case .failure(let error):
            fail(node, key, error.message)
            return nil
        }
    }

    func size(_ node: Node, _ key: String) -> Int64? {
        guard let s = scalar(node, key) else { return nil }
        switch Units.parseSize(s) {
        case .success(let n) where n > 0: return n
        case .success: fail(node, key, "'\(s)' is not a size above zero (write 64kB, 512MB, 1GB)")
        case .failure(let error): fail(node, key, error.message)
        }
        return nil
    }

    func fraction(_ node: Node, _ key: String) -> Double? {
        guard let s = scalar(node, key) else { return nil }
        guard let f = Units.fraction(s) else {
            fail(node, key, "'\(s)' is not a fraction (write 5% or 0.05)")
            return nil
        }
        return f
    }

    func list(_ node: Node, _ key: String) -> [Node]? {
        guard case .sequence(let s) = node else {
            fail(node, key, "expected a list, found \(describe(node))")
            return nil
        }
        for (i, item) in s.enumerated() { keyLocations["\(key)[\(i + 1)]"] = location(item) }
        return Array(s)
    }

    func stringList(_ node: Node, _ key: String) -> [String]? {
        guard let items = list(node, key) else { return nil }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = scalar(item, "\(key)[\(i)]") else { return nil }
            result.append(s)
        }
        return result
    }

    /// The closest allowed key by edit distance, when close enough to be a typo.
    static func suggestion(for name: String, among allowed: [String]) -> String? {
        let scored = allowed.map { ($0, distance(name, $0)) }.min { $0.1 < $1.1 }
        guard let (best, d) = scored, d <= max(2, name.count / 3) else { return nil }
        return best
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
