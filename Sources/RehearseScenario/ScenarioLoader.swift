public import Foundation
import Yams
import RehearseSupport

/// Loads a scenario file into the model; every problem names file, line, column and key.
public enum ScenarioLoader {
    static let maxFileBytes = 10 << 20

    /// Loads and validates a file; throws all its problems at once.
    public static func load(file: URL) throws(ScenarioErrors) -> Scenario {
        let display = file.relativePath
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw ScenarioErrors(errors: [
                ScenarioError(file: display, line: 1, column: 1, key: "", message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        guard data.count <= maxFileBytes else {
            throw ScenarioErrors(errors: [
                ScenarioError(
                    file: display, line: 1, column: 1, key: "",
                    message: "the file is \(data.count) bytes; scenario files are at most \(maxFileBytes) bytes")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let bytes = [UInt8](data)
            let (line, column) = TextPosition.lineAndColumn(of: UTF8Validation.firstInvalid(bytes) ?? 0, in: bytes)
            throw ScenarioErrors(errors: [
                ScenarioError(file: display, line: line, column: column, key: "", message: "the file is not valid UTF-8 text")
            ])
        }
        if let index = data.firstIndex(of: 0) {
            let (line, column) = TextPosition.lineAndColumn(of: index - data.startIndex, in: data)
            throw ScenarioErrors(errors: [
                ScenarioError(
                    file: display, line: line, column: column, key: "", message: "the file contains a NUL byte; it is not a text file")
            ])
        }
        return try load(yaml: text, file: file, sha256: SHA256.hex(data))
    }

    /// Loads from text (tests, and `load(file:)`).
    public static func load(yaml: String, file: URL, sha256: String? = nil) throws(ScenarioErrors) -> Scenario {
        let reader = YAMLReader(file: file.relativePath)
        if let problem = AliasGuard.check(yaml) {
            throw ScenarioErrors(errors: [
                ScenarioError(file: file.relativePath, line: problem.line, column: problem.column, key: "", message: problem.message)
            ])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ScenarioErrors(errors: [yamlError(error, file: file.relativePath)])
        } catch {
            throw ScenarioErrors(errors: [ScenarioError(file: file.relativePath, line: 1, column: 1, key: "", message: "\(error)")])
        }
        guard let root, !yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ScenarioErrors(errors: [
                ScenarioError(
                    file: file.relativePath, line: 1, column: 1, key: "",
                    message: "empty scenario: a scenario needs at least `name` and `steps`")
            ])
        }
        guard reader.checkShape(root) else { throw ScenarioErrors(errors: reader.errors) }
        let builder = ScenarioBuilder(reader: reader, directory: file.deletingLastPathComponent())
        let scenario = builder.build(root, file: file, sha256: sha256 ?? SHA256.hex(Data(yaml.utf8)))
        if let scenario {
            ScenarioValidator(reader: reader).validate(scenario)
        }
        guard reader.errors.isEmpty, let scenario else {
            throw ScenarioErrors(errors: reader.errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return scenario
    }

    static func yamlError(_ error: YamlError, file: String) -> ScenarioError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ScenarioError(file: file, line: mark.line, column: mark.column, key: "", message: "invalid YAML: \(text)")
        case .reader(let problem, let offset, _, let yaml):
            let (line, column) = offset.map { TextPosition.lineAndColumn(of: $0, in: Array(yaml.utf8)) } ?? (1, 1)
            return ScenarioError(file: file, line: line, column: column, key: "", message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ScenarioError(
                file: file, line: context.mark.line, column: context.mark.column, key: "",
                message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return ScenarioError(file: file, line: 1, column: 1, key: "", message: "invalid YAML: \(error)")
        }
    }
}

/// `rehearse lint`: every problem of a file, none of it run.
public enum ScenarioLinter {
    public static func lint(file: URL) -> [ScenarioError] {
        do {
            _ = try ScenarioLoader.load(file: file)
            return []
        } catch {
            return error.errors
        }
    }
}
