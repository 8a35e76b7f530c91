/// Holm's step-down correction: p-values adjusted so that rejecting those under α keeps the
/// chance of any false alarm among them under α, whatever their dependence.
public enum Holm {
    /// The adjusted p-values, in the order given.
    public static func adjust(_ p: [Double]) -> [Double] {
        let m = p.count
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in p.indices.sorted(by: { p[$0] < p[$1] }).enumerated() {
            running = max(running, min(1, Double(m - rank) * p[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
