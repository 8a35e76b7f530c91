import RehearseScenario
import RehearseSupport

/// Decides which CSV rows a `missing_seed` fault leaves out: by column values,
/// or a fraction chosen from the random seed and the row's position (the same
/// rows every time for the same seed and file). A fraction is exact: of N data
/// rows, the round(fraction × N) (at least one) whose hashes are the smallest.
struct MissingSeedFilter: Sendable {
    let fault: MissingSeedFault
    let columnIndex: Int?
    let values: Set<String>
    /// A fraction's cut: a row goes when its hash is at most this.
    let threshold: UInt64?

    /// `rowCount`: the file's data rows, which a fraction needs.
    init(fault: MissingSeedFault, header: [String], rowCount: Int = 0) throws(SeedError) {
        self.fault = fault
        switch fault.selection {
        case .values(let column, let values):
            guard let index = header.firstIndex(of: column) else {
                throw SeedError(
                    "missing_seed: column \(column) is not in the CSV header of \(fault.table) (\(header.joined(separator: ", ")))")
            }
            columnIndex = index
            self.values = Set(values)
            threshold = nil
        case .fraction(let fraction, let seed):
            columnIndex = nil
            values = []
            let wanted = fraction > 0 && rowCount > 0 ? min(max(Int((fraction * Double(rowCount)).rounded()), 1), rowCount) : 0
            threshold = Self.cut(keeping: wanted, of: rowCount, seed: seed)
        }
    }

    /// Whether data row `index` (0-based, header excluded) with these fields is removed.
    func removes(rowIndex: Int, fields: () -> [String]) -> Bool {
        switch fault.selection {
        case .values:
            let f = fields()
            return columnIndex.map { $0 < f.count && values.contains(f[$0]) } ?? false
        case .fraction(_, let seed):
            guard let threshold else { return false }
            return Self.hash(seed: seed, index: UInt64(rowIndex)) <= threshold
        }
    }

    /// SplitMix64 of (seed, index): a bijection of the index for a given seed, so no two
    /// rows tie.
    static func hash(seed: UInt64, index: UInt64) -> UInt64 {
        SplitMix64.value(seed: seed, index: index)
    }

    /// The `count`-th smallest hash of rows 0..<rows (nil for none), without keeping
    /// the hashes: count them by their top 16 bits, then sort only the bucket that
    /// holds the cut.
    static func cut(keeping count: Int, of rows: Int, seed: UInt64) -> UInt64? {
        guard count > 0 else { return nil }
        var buckets = [Int](repeating: 0, count: 1 << 16)
        for i in 0..<rows { buckets[Int(hash(seed: seed, index: UInt64(i)) >> 48)] += 1 }
        var below = 0
        var bucket = 0
        while below + buckets[bucket] < count {
            below += buckets[bucket]
            bucket += 1
        }
        var inBucket: [UInt64] = []
        inBucket.reserveCapacity(buckets[bucket])
        for i in 0..<rows {
            let h = hash(seed: seed, index: UInt64(i))
            if Int(h >> 48) == bucket { inBucket.append(h) }
        }
        inBucket.sort()
        return inBucket[count - below - 1]
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
