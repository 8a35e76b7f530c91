import Foundation
import Yams

extension ScenarioBuilder {
    /// `sweep: {scale: [0.01, 0.03, 0.1], predict: 1.0}`: scales increasing, each a scale a
    /// `synthesize` step takes; `predict` (default 1.0) likewise.
    func sweep(_ node: Node) -> Sweep? {
        guard let pairs = reader.mapping(node, "sweep", allowed: ["scale", "predict"]) else { return nil }
        var sweep = Sweep(scales: [], predict: 1.0, location: reader.location(node))
        var sawScale = false
        let range = SynthesizeSpec.scaleRange
        func scale(_ value: Node, _ key: String) -> Double? {
            guard let s = reader.scalar(value, key) else { return nil }
            guard let scale = Double(s), range.contains(scale) else {
                reader.fail(value, key, "'\(s)' is not a scale from 0.000001 to 1000 (a fraction of the profile's rows: 0.05)")
                return nil
            }
            return scale
        }
        for (k, v, _) in pairs {
            switch k {
            case "scale":
                sawScale = true
                guard let items = reader.list(v, "sweep.scale") else { continue }
                // Counted before each is read: a list of a million scales is one problem, not a million.
                guard Sweep.scaleCount.contains(items.count) else {
                    reader.fail(
                        v, "sweep.scale",
                        "expected \(Sweep.scaleCount.lowerBound) to \(Sweep.scaleCount.upperBound) scales (a fit needs two at least), found \(items.count)"
                    )
                    continue
                }
                let scales = items.enumerated().map { i, item in scale(item, "sweep.scale[\(i + 1)]") }
                guard scales.allSatisfy({ $0 != nil }) else { continue }
                sweep.scales = scales.compactMap { $0 }
                if let i = sweep.scales.indices.dropFirst().first(where: { sweep.scales[$0] <= sweep.scales[$0 - 1] }) {
                    reader.fail(
                        items[i], "sweep.scale[\(i + 1)]",
                        "scales must increase: \(sweep.scales[i]) is not above \(sweep.scales[i - 1])")
                }
            case "predict":
                if let s = scale(v, "sweep.predict") { sweep.predict = s }
            default: break
            }
        }
        if !sawScale { reader.fail(node, "sweep.scale", "missing required key 'scale' (the scales to run, e.g. [0.01, 0.03, 0.1])") }
        return sweep
    }
}
