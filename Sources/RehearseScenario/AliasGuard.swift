// CYaml is Yams' copy of libyaml: its event parser is the only way to see a file's
// aliases before Yams composes (and hashes) the tree they expand into.
import CYaml

/// Looks at a YAML file's events before Yams composes them, and refuses what would make
/// composing explode: an alias used as (or inside) a mapping key, which Yams hashes
/// whole to find duplicate keys (nine nested aliases in 288 bytes took 8.5 s, 393 bytes
/// never finished), and aliases expanding to more than `maxExpandedNodes`. Linear in the file's
/// events, so lint answers in milliseconds whatever it is given.
enum AliasGuard {
    /// Nodes aliases may add to the tree: far above any scenario's reuse. Nodes written out are
    /// bounded by the file's size and `YAMLReader.maxNodes` (a long `values:` list is fine).
    static let maxExpandedNodes = 10_000

    struct Problem: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    /// The first problem, or nil. Text libyaml cannot parse is left to Yams, whose messages say more.
    static func check(_ yaml: String) -> Problem? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = Walk()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
                if let problem = walk.step(event) { return problem }
            }
        }
    }

    /// The nodes open around the current event, and how many nodes each anchor expands to.
    private struct Walk {
        struct Open {
            var isMapping: Bool
            var anchor: String?
            var nodesBefore: Int
            var children = 0
            var isKey: Bool
        }
        var open: [Open] = []
        var anchors: [String: Int] = [:]
        /// Nodes of the composed tree so far, and how many of them aliases added.
        var nodes = 0
        var expanded = 0

        /// Whether the node starting now is a mapping key, or inside one.
        var inKey: Bool {
            guard let parent = open.last else { return false }
            return parent.isKey || (parent.isMapping && parent.children % 2 == 0)
        }

        mutating func step(_ event: yaml_event_t) -> Problem? {
            let mark = event.start_mark
            func problem(_ message: String) -> Problem {
                Problem(line: Int(mark.line) + 1, column: Int(mark.column) + 1, message: message)
            }
            switch event.type {
            case YAML_ALIAS_EVENT:
                if inKey { return problem("an alias cannot be a mapping key (or part of one)") }
                let size = anchors[Self.name(event.data.alias.anchor) ?? ""] ?? 1
                nodes += size
                expanded += size
                closeLeaf()
            case YAML_SCALAR_EVENT:
                nodes += 1
                if let anchor = Self.name(event.data.scalar.anchor) { anchors[anchor] = 1 }
                closeLeaf()
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if open.count >= YAMLReader.maxDepth { return problem("nesting deeper than \(YAMLReader.maxDepth) levels") }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = Self.name(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                open.append(Open(isMapping: isMapping, anchor: anchor, nodesBefore: nodes, isKey: inKey))
                nodes += 1
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { return nil }
                if let anchor = closed.anchor { anchors[anchor] = nodes - closed.nodesBefore }
                closeLeaf()
            default:
                return nil
            }
            if expanded > AliasGuard.maxExpandedNodes {
                return problem("aliases expand to more than \(AliasGuard.maxExpandedNodes) nodes; scenarios are small")
            }
            return nil
        }

        /// A node ended: it counts as one more child of the node around it.
        private mutating func closeLeaf() {
            if !open.isEmpty { open[open.count - 1].children += 1 }
        }

        static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
    }
}
