import TestBasics
import Testing

/// The built binary's suites whose assertions involve time (how long a signal or a
/// failure takes, what a run leaves) run one at a time, and never beside the integration
/// target's timed suites (`.oneAtATime`), as when they were one target.
@Suite("Timed end-to-end suites", .serialized, .oneAtATime)
enum TimedSuites {}
