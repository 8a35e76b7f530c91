import RehearseHistogram
import RehearseVerdict

extension StepMetrics {
    /// A workload's transactions as metrics of their own, over the step's duration.
    mutating func addTransactions(of workload: WorkloadMeasurement) {
        for (i, name) in workload.transactionNames.enumerated() {
            var m = StepMetrics()
            m.latency = workload.perTransaction[i]
            m.batches = Int(workload.perTransaction[i].count)
            m.errors = workload.perTransactionErrors[i].values.reduce(0, +)
            m.durationsMs = durationsMs
            transactions[name] = m
        }
    }
}
