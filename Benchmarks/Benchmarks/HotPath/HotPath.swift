import Benchmark
import Foundation
import RehearseEngine
import RehearseHistogram
import RehearseResults

/// The harness's own cost per transaction, and the cost of reading and comparing results.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3), maxIterations: 1_000_000)

    Benchmark("workload hot path: pick, bind, record", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var probe = HotPathProbe()
        for _ in 0..<1000 { probe.runOne() }  // warm the buffers
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(probe.runOne())
        }
        benchmark.stopMeasurement()
    }

    Benchmark("histogram record", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var h = LatencyHistogram()
        var v: UInt64 = 17
        for _ in benchmark.scaledIterations {
            v = (v &* 6364136223846793005 &+ 1442695040888963407)
            h.record(micros: 1 + (v >> 44))
        }
        blackHole(h.count)
    }

    // A real results document: the committed baseline of the warehouse scenario.
    let baseline = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../results/baselines/warehouse-deploy.json").standardizedFileURL
    let document = (try? Data(contentsOf: baseline)) ?? Data()

    Benchmark("results document decode") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! ResultsCoding.decoder().decode(ResultsDocument.self, from: document))
        }
    }

    Benchmark("compare two documents") { benchmark in
        let a = try! ResultsCoding.decoder().decode(ResultsDocument.self, from: document)
        let comparator = Comparator()
        for _ in benchmark.scaledIterations {
            blackHole(comparator.compare(baseline: a, current: a))
        }
    }
}
