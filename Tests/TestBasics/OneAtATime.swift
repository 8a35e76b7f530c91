public import Testing

/// Runs each test it applies to alone among all the tests that carry it, in every test
/// target: the suites whose assertions involve time (targets, regressions, stalls, how long
/// a signal takes) must not measure each other on a 2-core machine. `.serialized` keeps a
/// suite's own tests in line; this keeps the integration and end-to-end targets' timed
/// suites from running beside each other, since `swift test` runs every target in one process.
public struct OneAtATime: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// One turn per test function (not per suite, which would hold it for every test
    /// inside, nor per argument of a parameterized test, which `.serialized` orders).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> OneAtATime? {
        test.isSuite || testCase != nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        await Turn.shared.take()
        do {
            try await function()
        } catch {
            await Turn.shared.give()
            throw error
        }
        await Turn.shared.give()
    }

    /// The one turn, handed to waiting tests in the order they asked for it.
    actor Turn {
        static let shared = Turn()
        private var taken = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func take() async {
            guard taken else {
                taken = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func give() {
            if waiting.isEmpty { taken = false } else { waiting.removeFirst().resume() }
        }
    }
}

extension Trait where Self == OneAtATime {
    /// Alone among all the tests that carry `.oneAtATime`, in every test target.
    public static var oneAtATime: Self { OneAtATime() }
}
