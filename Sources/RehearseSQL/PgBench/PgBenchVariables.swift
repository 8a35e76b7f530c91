/// The variable names of a workload's pgbench scripts, each given a slot, so that a
/// running script reads and writes variables by index, never by name. pgbench's own
/// variables come first: `client_id`, `scale`, `default_seed`, `random_seed`.
package struct PgBenchVariables: Sendable {
    package static let clientID = 0
    package static let scale = 1
    package static let defaultSeed = 2
    package static let randomSeed = 3

    package private(set) var names: [String] = ["client_id", "scale", "default_seed", "random_seed"]
    private var slots: [String: Int] = ["client_id": 0, "scale": 1, "default_seed": 2, "random_seed": 3]

    package init() {}

    /// The slot of `name`, given one if it has none yet.
    package mutating func slot(_ name: String) -> Int {
        if let slot = slots[name] { return slot }
        names.append(name)
        slots[name] = names.count - 1
        return names.count - 1
    }

    /// The slot of `name` if any script reads or writes it.
    package func existingSlot(_ name: String) -> Int? { slots[name] }

    package var count: Int { names.count }

    /// pgbench's `valid_variable_name`: a letter, `_` or non-ASCII byte, then also digits.
    static func isValidName(_ name: some Collection<UInt8>) -> Bool {
        guard let first = name.first, first >= 0x80 || first == 95 || (first | 0x20 >= 97 && first | 0x20 <= 122) else {
            return false
        }
        return name.allSatisfy { $0 >= 0x80 || $0 == 95 || ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }
    }
}
