/// Decides which CSV rows a `missing_seed` fault leaves out: by column values,
/// or a fraction chosen from the random seed and the row's position (the same
/// rows every time for the same seed and file).
struct MissingSeedFilter: Sendable {
    let fault: MissingSeedFault
    let columnIndex: Int?
    let values: Set<String>

    init(fault: MissingSeedFault, header: [String]) throws(SeedError) {
        self.fault = fault
        switch fault.selection {
        case .values(let column, let values):
            guard let index = header.firstIndex(of: column) else {
                throw SeedError(
                    "missing_seed: column \(column) is not in the CSV header of \(fault.table) (\(header.joined(separator: ", ")))")
            }
            columnIndex = index
            self.values = Set(values)
        case .fraction:
            columnIndex = nil
            values = []
        }
    }

    /// Whether data row `index` (0-based, header excluded) with these fields is removed.
    func removes(rowIndex: Int, fields: () -> [String]) -> Bool {
        switch fault.selection {
        case .values:
            let f = fields()
            return columnIndex.map { $0 < f.count && values.contains(f[$0]) } ?? false
        case .fraction(let fraction, let seed):
            return Self.unitHash(seed: seed, index: UInt64(rowIndex)) < fraction
        }
    }

    /// SplitMix64 of (seed, index) mapped to [0, 1).
    static func unitHash(seed: UInt64, index: UInt64) -> Double {
        var z = seed &+ index &* 0x9E37_79B9_7F4A_7C15 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z = z ^ (z >> 31)
        return Double(z >> 11) / Double(1 << 53)
    }

    /// The key shown for a removed row: the fault's column, else the first field.
    func key(fields: [String]) -> String {
        let index = columnIndex ?? 0
        return index < fields.count ? fields[index] : "?"
    }
}

struct SeedError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
