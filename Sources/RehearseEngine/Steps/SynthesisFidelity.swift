import RehearseScenario
import RehearseResults

/// The profile's statistics next to the ones `ANALYZE` found on the generated rows.
enum SynthesisFidelity {
    static func compare(profile: TableProfile, generated: TableProfile, target: SynthesisTable) -> SynthesizedTable.Fidelity {
        var fidelity = SynthesizedTable.Fidelity()
        let rows = Double(target.rows)
        for column in generated.columns {
            guard let made = column.stats, let asked = profile.column(column.name)?.stats,
                target.column(column.name)?.stats != nil
            else { continue }
            fidelity.nullFrac[column.name] = [asked.nullFrac, made.nullFrac]
            fidelity.nDistinct[column.name] = [
                asked.distinctCount(rows: rows).rounded(), made.distinctCount(rows: max(generated.rows, 0)).rounded(),
            ]
            if let freqs = asked.mostCommonFreqs, !freqs.isEmpty {
                let k = freqs.count
                let mine = (made.mostCommonFreqs ?? []).sorted(by: >).prefix(k).reduce(0, +)
                fidelity.mostCommonFreqs[column.name] = [freqs.reduce(0, +), mine]
            }
            if let a = asked.correlation, let b = made.correlation { fidelity.correlation[column.name] = [a, b] }
        }
        return fidelity
    }
}
