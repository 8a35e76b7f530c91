import RehearseSupport
import Testing

@testable import RehearseEngine

/// How load slices share a workload's lanes, and the values `--load-slice` refuses.
@Suite("Load slice plan")
struct LoadSlicePlanTests {
    @Test("the slices' lanes are every lane once, split floor/ceil, numbered as on one machine", arguments: [1, 2, 3, 4, 7])
    func lanes(slices: Int) {
        for connections in [1, 2, 3, 4, 5, 8, 10, 33] {
            let ranges = (1...slices).map { LoadSlice(index: $0, count: slices, runID: "r").lanes(of: connections) }
            #expect(ranges.flatMap { Array($0) } == Array(0..<connections), "\(connections) over \(slices)")
            let sizes = ranges.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1)
            // The larger shares come first.
            #expect(sizes == sizes.sorted(by: >))
        }
        #expect(LoadSlice(index: 2, count: 3, runID: "r").lanes(of: 10) == 4..<7)
    }

    @Test func parsing() throws {
        let server = "host=/tmp"
        #expect(try LoadSlice.parse("2/4", runID: "nightly_1", server: server) == LoadSlice(index: 2, count: 4, runID: "nightly_1"))
        let refused: [(String, String?, String?, String)] = [
            ("0/2", "r", server, "is not I/N"), ("3/2", "r", server, "is not I/N"), ("x", "r", server, "is not I/N"),
            ("1/2", "r", nil, "needs --server"), ("1/2", nil, server, "needs --run-id"),
            ("1/2", "Bad-Id", server, "must be 1 to 32 lowercase letters"), ("1/2", String(repeating: "a", count: 33), server, "1 to 32"),
        ]
        for (text, runID, server, message) in refused {
            #expect {
                try LoadSlice.parse(text, runID: runID, server: server)
            } throws: { error in
                "\(error)".contains(message) && ExitStatus.of(error) == ExitStatus.invalid
            }
        }
    }
}
