/// Whether a deployment may go ahead: what a scenario's `expect` asks for and what its
/// results document says (`verdict`), one type for both.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case approved
    case blocked
}

/// How a rehearsed rollback ended: what `expect.rollback` asks for and what
/// `rollback.status` says.
public enum RollbackStatus: String, Codable, Sendable, CaseIterable {
    case passed
    case failed
    /// The rollback was not due (`when:` did not match) or could not start.
    case notRun = "not_run"
}
