import Testing
@testable import RehearseEngine

/// Suites whose assertions involve time (targets, regressions, stalls) run one at a
/// time, so they do not measure each other on this 2-core machine. `.serialized`
/// applies to every suite nested here.
@Suite("Timed integration suites", .serialized)
enum TimedSuites {}
