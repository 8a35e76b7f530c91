/// How a step (or one migration of a migrate step) ended, as `status` in the results.
public enum StepStatus: String, Codable, Sendable, CaseIterable {
    case ok
    case failed
    /// Not run: an earlier step stopped the run, or the run was interrupted.
    case skipped
}

/// How checking a migration's down ended (`verify_down.status`).
public enum VerifyDownStatus: String, Codable, Sendable, CaseIterable {
    /// The down brought the catalog back to what it was before the up.
    case passed
    case failed
    /// The migration has no down to check.
    case noDown = "no_down"
    /// Not checked: an earlier migration failed its check, with `verify_down: first`.
    case notRun = "not_run"
}
