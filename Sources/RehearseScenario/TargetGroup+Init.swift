extension TargetGroup {
    /// A group rebuilt outside the scenario loader (`merge` reads targets from results documents).
    package static func rebuilt(step: String, impact: Bool, transaction: String?, targets: [Target]) -> TargetGroup {
        TargetGroup(step: step, impact: impact, transaction: transaction, targets: targets)
    }
}
