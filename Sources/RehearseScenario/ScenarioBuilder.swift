import Foundation
import RehearseSupport
import Yams

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns the YAML tree into the model; problems go to the reader.
struct ScenarioBuilder {
    let reader: YAMLReader
    let directory: URL

    static let topKeys = [
        "name", "description", "repeat", "database", "steps", "faults", "checks", "targets", "rollback", "expect", "data", "sweep",
    ]
    static let stepKinds = ["sql", "migrate", "seed", "backfill", "workload", "run", "snapshot", "synthesize"]
    static let stepCommon = ["name", "on_error", "background", "until", "timeout"]
    static let maxNameLength = 100

    func build(_ root: Node, file: URL, sha256: String) -> Scenario? {
        guard let top = reader.mapping(root, "", allowed: Self.topKeys) else { return nil }
        var scenario = Scenario(
            name: "", description: nil, repeatCount: 1, database: DatabaseSettings(), steps: [], faults: [], checks: [],
            targets: [], rollback: nil, expect: Expectation(), file: file, sha256: sha256)
        var sawName = false
        var sawSteps = false
        for (key, node, _) in top {
            switch key {
            case "name":
                sawName = true
                if let name = reader.string(node, "name") {
                    if name.range(of: "^[a-z0-9-]+$", options: .regularExpression) == nil {
                        reader.fail(node, "name", "'\(name)' must match [a-z0-9-]+ (lowercase letters, digits, dashes)")
                    } else if name.count > Self.maxNameLength {
                        // The name is a folder of the results (and a baseline's file name): past 255 bytes
                        // the file system refuses it, and only after the whole run.
                        reader.fail(
                            node, "name", "'\(name.prefix(20))…' is \(name.count) characters; a name has at most \(Self.maxNameLength)")
                    }
                    scenario.name = name
                }
            case "description": scenario.description = reader.string(node, "description", nonEmpty: false)
            case "repeat": scenario.repeatCount = reader.int(node, "repeat", min: 1, max: NumberRanges.maxRepeat) ?? 1
            case "database": scenario.database = database(node)
            case "steps":
                sawSteps = true
                scenario.steps = steps(node)
            case "faults": scenario.faults = faults(node)
            case "checks": scenario.checks = checks(node)
            case "targets": scenario.targets = targets(node)
            case "rollback": scenario.rollback = rollback(node)
            case "expect": scenario.expect = expect(node)
            case "data": scenario.data = data(node)
            case "sweep": scenario.sweep = sweep(node)
            default: break
            }
        }
        attachProfile(scenario.data, to: &scenario.steps)
        if !sawName { reader.fail(root, "name", "missing required key 'name'") }
        if !sawSteps { reader.fail(root, "steps", "missing required key 'steps'") }
        return scenario
    }

    func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path).standardizedFileURL
    }

    /// A file or folder the scenario names, checked now so that `lint` finds what `run` would trip over.
    /// Files must be regular files (a FIFO would block the run); with `utf8Text` (SQL) the file is read
    /// and must be UTF-8 text. CSV files are not read here: they can be large, and their reader checks them.
    func requireFile(_ path: String, _ node: Node, _ key: String, folder: Bool = false, utf8Text: Bool = false) -> URL {
        let url = resolve(path)
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR {
                reader.fail(node, key, "\(folder ? "folder" : "file") '\(path)' does not exist (looked in \(url.path))")
            } else {
                reader.fail(node, key, "cannot read '\(path)' (\(url.path)): \(String(cString: strerror(errno)))")
            }
            return url
        }
        let type = info.st_mode & S_IFMT
        if folder {
            if type != S_IFDIR { reader.fail(node, key, "'\(path)' is a file, expected a folder") }
        } else if type == S_IFDIR {
            reader.fail(node, key, "'\(path)' is a folder, expected a file")
        } else if type != S_IFREG {
            reader.fail(node, key, "'\(path)' is not a regular file (\(Self.describe(fileType: type))), expected a file")
        } else if utf8Text {
            requireUTF8Text(url, path, node, key)
        }
        return url
    }

    private func requireUTF8Text(_ url: URL, _ path: String, _ node: Node, _ key: String) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            reader.fail(node, key, "cannot read '\(path)': \(error.localizedDescription)")
            return
        }
        if String(data: data, encoding: .utf8) == nil {
            let bytes = [UInt8](data)
            let (line, column) = TextPosition.lineAndColumn(of: UTF8Validation.firstInvalid(bytes) ?? 0, in: bytes)
            reader.fail(node, key, "'\(path)' is not valid UTF-8 text (its line \(line), column \(column))")
        } else if let nul = data.firstIndex(of: 0) {
            // libpq sends a query as a C string: everything after a NUL would be dropped silently.
            let (line, column) = TextPosition.lineAndColumn(of: nul - data.startIndex, in: data)
            reader.fail(node, key, "'\(path)' contains a NUL byte (its line \(line), column \(column)); it is not a text file")
        }
    }

    static func describe(fileType: mode_t) -> String {
        switch fileType {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "not a plain file"
        }
    }

    func database(_ node: Node) -> DatabaseSettings {
        var settings = DatabaseSettings()
        guard let pairs = reader.mapping(node, "database", allowed: ["settings", "extensions", "versions"]) else { return settings }
        for (key, value, _) in pairs {
            switch key {
            case "settings":
                for (name, v, _) in reader.mapping(value, "database.settings", allowed: []) ?? [] {
                    if name.range(of: "^[a-z_][a-z0-9_.]*$", options: .regularExpression) == nil {
                        reader.fail(v, "database.settings.\(name)", "'\(name)' is not a PostgreSQL setting name")
                    }
                    if let s = reader.scalar(v, "database.settings.\(name)") {
                        settings.settings.append((name, s))
                        settings.locations[name] = reader.location(v)
                    }
                }
            case "extensions": settings.extensions = reader.stringList(value, "database.extensions") ?? []
            case "versions": settings.versions = versions(value)
            default: break
            }
        }
        return settings
    }

    func sqlSource(_ node: Node, _ key: String) -> SQLSource? {
        if case .mapping = node {
            guard let pairs = reader.mapping(node, key, allowed: ["file"]), let file = pairs.first(where: { $0.key == "file" }) else {
                reader.fail(node, key, "expected SQL text or {file: path.sql}")
                return nil
            }
            guard let path = reader.string(file.node, "\(key).file") else { return nil }
            return .file(requireFile(path, file.node, "\(key).file", utf8Text: true))
        }
        return reader.string(node, key).map { .inline($0) }
    }
}
