import RehearseHistogram
package import RehearseResults
import RehearseScenario
package import RehearseSupport

/// The load slices of one run made into one document, as if one machine had driven every
/// workload: each repetition is slice 1's (it ran every step, the checks and the rollback)
/// with each workload step summed over the slices, and its targets and verdict judged again.
enum LoadSliceMerge {
    /// The slices of run `runID` (of one scenario and major version) as one part; its
    /// `merged_from` names the slices.
    static func combine(_ slices: [ResultsMerger.Part], name: String) throws(RehearseError) -> ResultsMerger.Part {
        let runID = slices[0].document.loadSlice?.runId ?? ""
        var byIndex: [Int: ResultsMerger.Part] = [:]
        let count = slices[0].document.loadSlice?.count ?? 0
        for part in slices {
            guard let info = part.document.loadSlice, let index = info.index, info.count == count else {
                throw .invalidInput(
                    "cannot merge \(name): \(slices[0].file) and \(part.file) are slices of run \(runID) split different ways (\(slices[0].document.loadSlice?.slice ?? "?") and \(part.document.loadSlice?.slice ?? "no slice"))"
                )
            }
            if let other = byIndex[index] {
                throw .invalidInput(
                    "cannot merge \(name): load slice \(info.slice) of run \(runID) is in both \(other.file) and \(part.file)")
            }
            byIndex[index] = part
        }
        let missing = (1...max(count, 1)).filter { byIndex[$0] == nil }
        guard missing.isEmpty, let lead = byIndex[1] else {
            throw .invalidInput(
                "cannot merge \(name): load slice\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) of run \(runID) \(missing.count > 1 ? "are" : "is") in none of \(slices.map(\.file).joined(separator: ", "))"
            )
        }
        let others = (2...max(count, 2)).compactMap { byIndex[$0] }
        let targets = try lead.document.targetGroups(file: lead.file)
        let windowed = Set(targets.filter { $0.targets.contains { $0.window != nil } }.map(\.step))
        var document = lead.document
        for (position, repetition) in lead.document.repetitions.enumerated() {
            let index = repetition.index ?? position + 1
            var combined = repetition
            for (s, step) in repetition.steps.enumerated() {
                var parts = [step]
                for other in others {
                    guard let theirs = other.document.repetitions.first(where: { ($0.index ?? 1) == index }) else {
                        throw .invalidInput("cannot merge \(name): \(other.file) has no repetition \(index) of run \(runID)")
                    }
                    if let same = theirs.steps.first(where: { $0.name == step.name }) { parts.append(same) }
                }
                combined.steps[s] = sum(parts)
            }
            // The repetition judged again on the whole workloads, as the engine judges one.
            let rebuilt = StepMetrics.of(combined, windowed: windowed)
            combined.targets = TargetEvaluator.evaluate(targets, metrics: rebuilt.metrics, impacts: rebuilt.impacts)
            let reasons = BlockingReasons.reasons(
                steps: combined.steps, checks: combined.checks.filter { $0.phase == "deploy" }, targets: combined.targets)
            combined.verdict = reasons.isEmpty ? .approved : .blocked
            combined.reasons = reasons
            document.repetitions[position] = combined
        }
        document.loadSlice = nil
        document.mergedFrom = (1...count).compactMap { byIndex[$0] }.map {
            MergedPart(file: $0.file, runId: runID, loadSlice: $0.document.loadSlice?.slice)
        }
        return ResultsMerger.Part(file: lead.file, document: document)
    }

    /// One workload step from the slices' shares of it: histograms, counts, rows and errors
    /// summed, the longest duration, the transactions and the seconds of the timeline summed
    /// (each slice's seconds aligned on its first, as the slices started together).
    static func sum(_ steps: [StepResult]) -> StepResult {
        var step = steps[0]
        guard steps.count > 1 else { return step }
        let latency = histogram(steps.map(\.histogram))
        step.histogram = latency.count > 0 ? latency.encoded() : nil
        step.latencyMs = latency.summary
        step.batches = steps.reduce(0) { $0 + $1.batches }
        step.rows = steps.reduce(0) { $0 + $1.rows }
        step.errors = steps.reduce(into: [:]) { $0.merge($1.errors, uniquingKeysWith: +) }
        step.durationMs = steps.map(\.durationMs).max() ?? step.durationMs
        step.clientMemoryPeak = steps.compactMap(\.clientMemoryPeak).max()
        step.startedAt = steps.compactMap(\.startedAt).min()
        if let failed = steps.first(where: { $0.status == .failed }) {
            step.status = .failed
            step.error = failed.error
        }
        // Service time and schedule lag are summaries without histograms: not summed.
        step.serviceMs = nil
        step.lagMs = nil
        var transactions: [String: TransactionResult] = [:]
        for name in Set(steps.flatMap { ($0.transactions ?? [:]).keys }) {
            let shares = steps.compactMap { $0.transactions?[name] }
            let h = histogram(shares.map(\.histogram))
            var transaction = TransactionResult(
                batches: shares.reduce(0) { $0 + $1.batches },
                errors: shares.reduce(into: [:]) { $0.merge($1.errors, uniquingKeysWith: +) },
                latencyMs: h.summary)
            transaction.histogram = h.count > 0 ? h.encoded() : nil
            transactions[name] = transaction
        }
        step.transactions = steps[0].transactions == nil ? nil : transactions
        step.timeline = timeline(steps.map { $0.timeline ?? [] })
        return step
    }

    static func timeline(_ slices: [[TimelineBucket]]) -> [TimelineBucket]? {
        guard let first = slices.first?.first?.second else { return slices.first }
        var seconds: [Int: (bucket: TimelineBucket, histogram: LatencyHistogram)] = [:]
        for buckets in slices {
            let shift = first - (buckets.first?.second ?? first)
            for bucket in buckets {
                let second = bucket.second + shift
                var entry =
                    seconds[second] ?? (TimelineBucket(second: second, batches: 0, errors: 0, p50: 0, p99: 0, max: 0), LatencyHistogram())
                entry.bucket.batches += bucket.batches
                entry.bucket.errors += bucket.errors
                entry.bucket.max = max(entry.bucket.max, bucket.max)
                if let h = bucket.histogram.flatMap({ LatencyHistogram(encoded: $0) }) { entry.histogram.merge(h) }
                seconds[second] = entry
            }
        }
        return seconds.keys.sorted().compactMap { second in
            guard var entry = seconds[second] else { return nil }
            if entry.histogram.count > 0 {
                entry.bucket.p50 = entry.histogram.millis(atPercentile: 50)
                entry.bucket.p99 = entry.histogram.millis(atPercentile: 99)
                entry.bucket.histogram = entry.histogram.encoded()
            }
            return entry.bucket
        }
    }

    static func histogram(_ encoded: [String?]) -> LatencyHistogram {
        var sum = LatencyHistogram()
        for text in encoded { if let h = text.flatMap({ LatencyHistogram(encoded: $0) }) { sum.merge(h) } }
        return sum
    }
}
