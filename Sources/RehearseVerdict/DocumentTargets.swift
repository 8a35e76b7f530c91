package import RehearseResults
package import RehearseScenario
package import RehearseSupport

extension ResultsDocument {
    /// The scenario's targets as the run judged them: parsed from `scenario.targets`, in the
    /// order of its repetitions' `targets` (the scenario's order). `file` names the document
    /// in errors.
    package func targetGroups(file: String) throws(RehearseError) -> [TargetGroup] {
        guard let byLabel = scenario.targets else {
            throw .invalidInput("\(file): the document does not carry its scenario's targets (written by an older rehearse); run it again")
        }
        let steps = Set(repetitions.flatMap { $0.steps.map(\.name) })
        var order = repetitions.first?.targets.map(\.step) ?? []
        order += byLabel.keys.sorted()
        var groups: [TargetGroup] = []
        var seen = Set<String>()
        for label in order where seen.insert(label).inserted {
            guard let texts = byLabel[label] else { continue }
            let location = SourceLocation(file: file, line: 1, column: 1)
            var targets: [Target] = []
            for text in texts {
                switch TargetParser.parse(text, location: location) {
                case .success(let target): targets.append(target)
                case .failure(let error): throw .invalidInput("\(file): scenario.targets.\(label): '\(text)': \(error.message)")
                }
            }
            groups.append(Self.group(label, steps: steps, targets: targets))
        }
        return groups
    }

    /// `step`, `step.impact` or `step.transaction`, told apart by the steps the document ran.
    static func group(_ label: String, steps: Set<String>, targets: [Target]) -> TargetGroup {
        if steps.contains(label) { return TargetGroup.rebuilt(step: label, impact: false, transaction: nil, targets: targets) }
        if label.hasSuffix(".impact"), steps.contains(String(label.dropLast(7))) {
            return TargetGroup.rebuilt(step: String(label.dropLast(7)), impact: true, transaction: nil, targets: targets)
        }
        if let step = steps.filter({ label.hasPrefix($0 + ".") }).max(by: { $0.count < $1.count }) {
            return TargetGroup.rebuilt(step: step, impact: false, transaction: String(label.dropFirst(step.count + 1)), targets: targets)
        }
        return TargetGroup.rebuilt(step: label, impact: false, transaction: nil, targets: targets)
    }
}
