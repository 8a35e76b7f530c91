import TestBasics
import Testing

@testable import RehearseEngine

/// Suites whose assertions involve time (targets, regressions, stalls) run one at a
/// time, so they do not measure each other on this 2-core machine. `.serialized`
/// applies to every suite nested here; `.oneAtATime` keeps them from running beside
/// the end-to-end target's timed suites too.
@Suite("Timed integration suites", .serialized, .oneAtATime)
enum TimedSuites {}
