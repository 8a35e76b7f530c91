public import RehearseSupport

/// A scenario's `expect` as its results document carries it (`"expect": {"verdict": "blocked"}`),
/// with the rollback outcome expected when `expect` names none (`rollback_default`: `passed` when
/// the scenario rehearses a rollback), so that `merge` judges expectations as `run` did.
public struct ExpectInfo: Codable, Sendable, Equatable {
    public var verdict: Verdict
    public var failedChecks: [String]?
    public var stepErrors: [String: String]?
    public var rollback: RollbackStatus?
    public var rollbackDefault: RollbackStatus?

    package init(
        verdict: Verdict, failedChecks: [String]? = nil, stepErrors: [String: String]? = nil, rollback: RollbackStatus? = nil,
        rollbackDefault: RollbackStatus? = nil
    ) {
        self.verdict = verdict
        self.failedChecks = failedChecks
        self.stepErrors = stepErrors
        self.rollback = rollback
        self.rollbackDefault = rollbackDefault
    }
}

/// One document a merged document was made of: `{"file": …, "run_id": …, "shard": "2/4"}`
/// (`load_slice` for a load slice's).
public struct MergedPart: Codable, Sendable, Equatable {
    public var file: String
    public var runId: String
    public var shard: String?
    public var loadSlice: String?

    package init(file: String, runId: String, shard: String? = nil, loadSlice: String? = nil) {
        self.file = file
        self.runId = runId
        self.shard = shard
        self.loadSlice = loadSlice
    }
}
