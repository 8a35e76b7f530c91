/// The one median of rehearse: the summary table, targets and `compare` must agree on a
/// step's median duration, also for an even number of repetitions (the mean of the two middles).
public enum Median {
    public static func of(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
