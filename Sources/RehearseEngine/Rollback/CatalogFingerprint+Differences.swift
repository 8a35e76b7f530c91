import Foundation
import RehearseResults

extension CatalogFingerprint {
    /// What differs, read as "object X: present now, absent at the snapshot"; a changed
    /// object names each attribute that changed with its value before and after, and a
    /// column whose place among its table's columns changed says it moved.
    func differences(from snapshot: CatalogFingerprint, snapshotName: String) -> [Difference] {
        let moved = movedColumns(since: snapshot)
        let added = Set(objects.keys).subtracting(snapshot.objects.keys)
        let removed = Set(snapshot.objects.keys).subtracting(objects.keys)
        var result: [Difference] = []
        for key in Set(objects.keys).union(snapshot.objects.keys).sorted() {
            switch (snapshot.objects[key], objects[key]) {
            case (nil, let now?) where !now.belongs(toOneOf: added):
                result.append(
                    Difference(
                        object: "\(now.kind) \(now.name)", kind: now.kind, change: "added",
                        detail: "present after rollback, absent at snapshot \(snapshotName)"))
            case (let then?, nil) where !then.belongs(toOneOf: removed):
                result.append(
                    Difference(
                        object: "\(then.kind) \(then.name)", kind: then.kind, change: "removed",
                        detail: "absent after rollback, present at snapshot \(snapshotName)"))
            case (let then?, let now?):
                var changes = Self.attributeChanges(from: then, to: now)
                if moved.contains(key), let before = then.position, let after = now.position {
                    let neighbours = "was \(snapshot.placeOf(then)), now \(placeOf(now))"
                    changes.insert("moved from position \(before) to \(after) (\(neighbours))", at: 0)
                }
                if !changes.isEmpty {
                    result.append(
                        Difference(
                            object: "\(now.kind) \(now.name)", kind: now.kind, change: "changed",
                            detail: changes.joined(separator: "; ")))
                }
            default: break
            }
        }
        return result
    }

    /// The columns on both sides that did not keep their order relative to their
    /// table's other columns: all but a longest run that did. A column dropped or
    /// added elsewhere moves nobody, and a column dropped and added again at the end
    /// is the one reported, not every column after it.
    func movedColumns(since snapshot: CatalogFingerprint) -> Set<String> {
        var tables: [String: [(key: String, before: Int, after: Int)]] = [:]
        for (key, now) in objects {
            guard let parent = now.parent, let after = now.position,
                let before = snapshot.objects[key]?.position
            else { continue }
            tables[parent, default: []].append((key, before, after))
        }
        var moved: Set<String> = []
        for columns in tables.values {
            let ordered = columns.sorted { $0.before < $1.before }
            let kept = Self.longestIncreasingRun(ordered.map(\.after))
            for (index, column) in ordered.enumerated() where !kept.contains(index) { moved.insert(column.key) }
        }
        return moved
    }

    /// `after <column>` or `first`: where a column stands, which says more than its
    /// number when other columns moved around it.
    func placeOf(_ column: Object) -> String {
        guard let parent = column.parent, let position = column.position, position > 1,
            let previous = objects.values.first(where: { $0.parent == parent && $0.position == position - 1 })
        else { return "first" }
        return "after \(previous.name.dropFirst(parent.count + 1))"
    }

    /// The indexes of a longest strictly increasing subsequence (tables have few
    /// columns: the quadratic form is plenty). Of runs equally long it keeps the one
    /// with the smallest values, so a column dropped and added again, which lands
    /// last, is the one left out.
    static func longestIncreasingRun(_ values: [Int]) -> Set<Int> {
        guard !values.isEmpty else { return [] }
        var length = Array(repeating: 1, count: values.count)
        var previous = Array(repeating: -1, count: values.count)
        for i in values.indices {
            for j in 0..<i where values[j] < values[i] {
                let better = length[j] + 1 > length[i]
                let asLongButSmaller = length[j] + 1 == length[i] && previous[i] >= 0 && values[j] < values[previous[i]]
                if better || asLongButSmaller {
                    length[i] = length[j] + 1
                    previous[i] = j
                }
            }
        }
        var index = length.indices.min { (length[$0], -values[$0]) > (length[$1], -values[$1]) } ?? 0
        var kept: Set<Int> = []
        while index >= 0 {
            kept.insert(index)
            index = previous[index]
        }
        return kept
    }

    static func attributeChanges(from then: Object, to now: Object) -> [String] {
        let names = then.attributes.map(\.name) + now.attributes.map(\.name).filter { then.attribute($0) == nil }
        return names.compactMap { name in
            let before = then.attribute(name)
            let after = now.attribute(name)
            return before == after ? nil : describe(name, before: before, after: after)
        }
    }

    /// `name was X, now Y`, whitespace runs read as one space (a view's definition
    /// is laid out on several lines); a long value (a function's definition) shows
    /// the lines that differ, from the first to the last.
    static func describe(_ name: String, before: String?, after: String?) -> String {
        guard let before, let after, max(before.count, after.count) > clipLength else {
            return "\(name) was \(clipped(before ?? "none")), now \(clipped(after ?? "none"))"
        }
        let old = before.split(separator: "\n", omittingEmptySubsequences: false)
        let new = after.split(separator: "\n", omittingEmptySubsequences: false)
        let shorter = min(old.count, new.count)
        var same = 0
        while same < shorter && old[same] == new[same] { same += 1 }
        var sameAtEnd = 0
        while sameAtEnd < shorter - same && old[old.count - 1 - sameAtEnd] == new[new.count - 1 - sameAtEnd] { sameAtEnd += 1 }
        func changed(_ lines: [Substring]) -> String {
            let part = lines[same..<(lines.count - sameAtEnd)]
            return part.isEmpty ? "nothing" : clipped(part.joined(separator: " "))
        }
        return "\(name) differs from line \(same + 1): was \(changed(old)), now \(changed(new))"
    }

    private static let clipLength = 300

    private static func clipped(_ value: String) -> String {
        let oneLine = value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return oneLine.count <= clipLength ? oneLine : String(oneLine.prefix(clipLength)) + "…"
    }
}

extension CatalogFingerprint.Object {
    /// The kinds of object that others belong to through their `parent`.
    static let containerKinds = ["table", "view", "materialized view", "foreign table", "domain"]

    /// This object belongs to one of `keys` (objects added, or removed, as a whole),
    /// whose own difference says it all: a new table's columns, indexes, constraints
    /// and grants are not listed one by one.
    func belongs(toOneOf keys: Set<String>) -> Bool {
        guard !keys.isEmpty else { return false }
        if let parent, Self.containerKinds.contains(where: { keys.contains("\($0) \(parent)") }) { return true }
        switch kind {
        case "comment": return keys.contains(name)
        case "grant":
            // `<kind> <name> to <role>`
            guard let to = name.range(of: " to ", options: .backwards) else { return false }
            return keys.contains(String(name[..<to.lowerBound]))
        default: return false
        }
    }
}
