public import Foundation
import RehearseSQL
import Yams

/// A workload transaction's pgbench script (`pgbench: FILE`), read and parsed when the
/// scenario is loaded, so that `lint` finds what `run` would trip over.
public struct PgBenchFile: Sendable {
    /// Resolved absolute path.
    public var url: URL
    /// The path as messages show it: beside the scenario file's path as given.
    public var display: String
    public var text: String
}

extension ScenarioBuilder {
    /// Reads and parses the script at `path`; its problems are reported at their line and
    /// column in the script, a missing file at the `pgbench:` key.
    func pgbenchFile(_ node: Node, _ key: String) -> PgBenchFile? {
        guard let path = reader.string(node, key) else { return nil }
        let before = reader.errors.count
        let url = requireFile(path, node, key, utf8Text: true)
        guard reader.errors.count == before, let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let folder = (reader.file as NSString).deletingLastPathComponent
        let display = path.hasPrefix("/") || folder.isEmpty ? path : "\(folder)/\(path)"
        var variables = PgBenchVariables()
        do {
            _ = try PgBenchScript.parse(text, file: display, variables: &variables)
        } catch {
            reader.fail(at: SourceLocation(file: display, line: error.line, column: error.column), key, error.message)
            return nil
        }
        return PgBenchFile(url: url, display: display, text: text)
    }
}

extension ScenarioBuilder {
    /// A transaction is `sql` (with `params`) or a `pgbench` script (with `scale`), not both.
    func pgbenchRules(_ pairs: [(key: String, node: Node, keyNode: Node)], _ item: Node, _ p: String, sawSQL: Bool) {
        let keys = Set(pairs.map(\.key))
        let pgbench = pairs.first { $0.key == "pgbench" }
        if let pgbench, sawSQL {
            reader.fail(pgbench.keyNode, "\(p).pgbench", "give `sql` or `pgbench`, not both")
        } else if pgbench == nil && !sawSQL {
            reader.fail(item, "\(p).sql", "missing required key 'sql' (or 'pgbench')")
        }
        if let pgbench, keys.contains("params") {
            reader.fail(pgbench.keyNode, "\(p).params", "a pgbench script sets its own variables; `params` is for `sql`")
        }
        if pgbench == nil, let scale = pairs.first(where: { $0.key == "scale" }) {
            reader.fail(scale.keyNode, "\(p).scale", "`scale` is the `:scale` of a `pgbench` script")
        }
    }
}
