import RehearseScenario
import RehearseResults

/// The profile's statistics next to the ones `ANALYZE` found on the generated rows.
enum SynthesisFidelity {
    /// `parentRows`: a foreign key column's parent rows, which bound its distinct values.
    static func compare(
        profile: TableProfile, generated: TableProfile, target: SynthesisTable, parentRows: [String: Int] = [:]
    ) -> SynthesizedTable.Fidelity {
        var fidelity = SynthesizedTable.Fidelity()
        let rows = Double(target.rows)
        for column in generated.columns {
            guard let made = column.stats, let asked = profile.column(column.name)?.stats,
                target.column(column.name)?.stats != nil
            else { continue }
            fidelity.nullFrac[column.name] = [asked.nullFrac, made.nullFrac]
            fidelity.nDistinct[column.name] = [
                min(asked.distinctCount(rows: rows), Double(parentRows[column.name] ?? Int.max)).rounded(), made.distinctCount(rows: max(generated.rows, 0)).rounded(),
            ]
            if let freqs = asked.mostCommonFreqs, !freqs.isEmpty {
                // A foreign key with fewer parents than the profile referenced: each parent stands for
                // several, and the profile's k most referenced are the generated k·parents/distinct.
                let distinct = asked.distinctCount(rows: rows)
                let parents = Double(parentRows[column.name] ?? Int.max)
                let k = parents < distinct ? max(1, Int((Double(freqs.count) * parents / distinct).rounded())) : freqs.count
                let mine = (made.mostCommonFreqs ?? []).sorted(by: >).prefix(k).reduce(0, +)
                fidelity.mostCommonFreqs[column.name] = [freqs.reduce(0, +), mine]
            }
            if let a = asked.correlation, let b = made.correlation { fidelity.correlation[column.name] = [a, b] }
        }
        return fidelity
    }
}
