package import RehearseResults
import RehearseScenario
package import RehearseSupport

/// `rehearse merge`: the documents of a suite's shards (or of one run's load slices) made
/// into one document per scenario and PostgreSQL major version, judged again on the whole
/// with the targets and `expect` they carry, as `run` would have judged one run of it all.
package enum ResultsMerger {
    package struct Part: Sendable {
        package var file: String
        package var document: ResultsDocument

        package init(file: String, document: ResultsDocument) {
            self.file = file
            self.document = document
        }
    }

    /// One merged document per scenario and major version, in name order. `runID` names the
    /// merged run when its parts come from different runs. Parts that do not belong together
    /// (another scenario file, another server version, a repetition twice, repetitions no part
    /// holds) are invalid input, naming the files.
    package static func merge(_ parts: [Part], runID: String) throws(RehearseError) -> [ResultsDocument] {
        var groups: [String: [Part]] = [:]
        for part in parts {
            groups[key(part.document), default: []].append(part)
        }
        var merged: [ResultsDocument] = []
        for name in groups.keys.sorted() {
            if let group = groups[name] { merged.append(try merge(group: group, runID: runID)) }
        }
        return merged
    }

    /// The scenario's name and the server's major version.
    static func key(_ document: ResultsDocument) -> String {
        "\(document.scenario.name)\u{0}\(PostgresMajor.name(document.environment.postgresVersion))"
    }

    static func merge(group parts: [Part], runID: String) throws(RehearseError) -> ResultsDocument {
        let name = parts[0].document.scenario.name
        // A sweep is never split (its predictions fit all its scales): its one document passes.
        if let sweep = parts.first(where: { $0.document.sweep != nil }) {
            guard parts.count == 1 else {
                throw .invalidInput(
                    "cannot merge \(name): \(sweep.file) is a sweep's whole run, and \(parts.count - 1) other document(s) of it were given; a sweep is never split"
                )
            }
            var document = sweep.document
            document.mergedFrom = [MergedPart(file: sweep.file, runId: document.run.id, shard: document.shard?.shard)]
            document.shard = nil
            return document
        }
        for part in parts.dropFirst() {
            let first = parts[0]
            let (a, b) = (first.document, part.document)
            if a.scenario.sha256 != b.scenario.sha256 {
                throw .invalidInput(
                    "cannot merge \(name): \(first.file) and \(part.file) ran different scenario files (sha256 \(a.scenario.sha256.prefix(12)) and \(b.scenario.sha256.prefix(12))); the parts of one suite run the same files"
                )
            }
            if a.environment.postgresVersion != b.environment.postgresVersion {
                throw .invalidInput(
                    "cannot merge \(name): \(first.file) ran on PostgreSQL \(a.environment.postgresVersion) and \(part.file) on \(b.environment.postgresVersion); the parts of one suite run on one server version"
                )
            }
        }
        // The load slices of each run first become one part, as if one machine had driven them.
        var group = parts.filter { $0.document.loadSlice == nil }
        let slices = parts.filter { $0.document.loadSlice != nil }
        for id in Set(slices.compactMap(\.document.loadSlice?.runId)).sorted() {
            group.append(
                try LoadSliceMerge.combine(slices.filter { $0.document.loadSlice?.runId == id }, name: name))
        }
        let first = group[0]
        // Each repetition once, by its index in the whole suite.
        var repetitions: [Int: (file: String, repetition: RepetitionResult)] = [:]
        var total = 0
        for part in group {
            let document = part.document
            total = max(total, document.shard?.repeat ?? document.repetitions.count)
            for (position, repetition) in document.repetitions.enumerated() {
                let index = repetition.index ?? position + 1
                if let other = repetitions[index] {
                    throw .invalidInput(
                        "cannot merge \(name): repetition \(index) is in both \(other.file) and \(part.file); merge the parts of one suite, each once"
                    )
                }
                var indexed = repetition
                indexed.index = index
                repetitions[index] = (part.file, indexed)
            }
        }
        let interrupted = group.contains { $0.document.interrupted == true }
        let missing = (1...max(total, 1)).filter { repetitions[$0] == nil }
        if !missing.isEmpty && !interrupted {
            throw .invalidInput(
                "cannot merge \(name): repetition\(missing.count > 1 ? "s" : "") \(missing.map(String.init).joined(separator: ", ")) of \(total) \(missing.count > 1 ? "are" : "is") in none of \(group.map(\.file).joined(separator: ", ")); is a shard's document missing?"
            )
        }
        let ordered = repetitions.keys.sorted().compactMap { repetitions[$0]?.repetition }

        let targets = try first.document.targetGroups(file: first.file)
        guard let expect = first.document.scenario.expect else {
            throw .invalidInput(
                "\(first.file): the document does not carry its scenario's expect (written by an older rehearse); run it again")
        }
        let windowed = Set(targets.filter { $0.targets.contains { $0.window != nil } }.map(\.step))
        var metrics: [String: StepMetrics] = [:]
        var impacts: [String: StepMetrics] = [:]
        for repetition in ordered {
            let rebuilt = StepMetrics.of(repetition, windowed: windowed)
            for (k, v) in rebuilt.metrics { metrics[k, default: StepMetrics()].merge(v) }
            for (k, v) in rebuilt.impacts { impacts[k, default: StepMetrics()].merge(v) }
        }
        let judged = DocumentJudgement.judge(
            targets: targets, expect: expect, repetitions: ordered, merged: metrics, impacts: impacts, interrupted: interrupted)

        var document = first.document
        let runIDs = Set(group.map(\.document.run.id))
        document.run.id = runIDs.count == 1 ? first.document.run.id : runID
        document.run.startedAt = group.map(\.document.run.startedAt).min() ?? document.run.startedAt
        document.run.finishedAt = group.map(\.document.run.finishedAt).max() ?? document.run.finishedAt
        document.verdict = judged.verdict
        document.reasons = judged.reasons
        document.expectation = judged.expectation
        document.interrupted = interrupted ? true : nil
        document.repetitions = ordered
        document.summary = judged.summary
        document.shard = nil
        document.mergedFrom = group.flatMap {
            $0.document.mergedFrom ?? [MergedPart(file: $0.file, runId: $0.document.run.id, shard: $0.document.shard?.shard)]
        }
        return document
    }
}
