import Foundation
import Histogram

extension LatencyHistogram {
    /// The histogram as the results format says, "base64 HdrHistogram, microseconds":
    /// HdrHistogram's standard compressed encoding (V2), which its Java, C and Python
    /// libraries decode.
    public func encoded() -> String {
        let layout = Self.layout(of: histogram)
        let counts = histogram.recordedValues().map { (index: layout.index(of: $0.value), count: $0.count) }
        return Data(HdrCompressedEncoding.encode(layout: layout, counts: counts)).base64EncodedString()
    }

    /// Decodes `encoded()`'s form (from any HdrHistogram library), and the `"RH1"` form
    /// older results documents and baselines hold. Nil for anything else.
    public init?(encoded text: String) {
        guard let data = Data(base64Encoded: text) else { return nil }
        let bytes = [UInt8](data)
        self.init()
        if bytes.starts(with: Self.legacyMagic) {
            guard add(legacyPairs: Array(bytes.dropFirst(Self.legacyMagic.count))) else { return nil }
        } else {
            guard let decoded = HdrCompressedEncoding.decode(bytes), add(decoded) else { return nil }
        }
    }

    /// Encoded histograms merged (a step's repetitions from a results file), or nil if
    /// none decodes. Each decoded histogram keeps its sum of count × value under 2^56
    /// (`DecodedSum`); the merge stops before the total passes 2^62, so that a file of
    /// hundreds of hostile histograms cannot trap the library's UInt64 sums either.
    public static func merging(_ texts: [String]) -> LatencyHistogram? {
        var merged: LatencyHistogram?
        var total: UInt64 = 0
        for text in texts {
            guard let h = LatencyHistogram(encoded: text) else { continue }
            var own: UInt64 = 0
            for item in h.histogram.recordedValues() {
                own += item.count * h.histogram.highestEquivalentForValue(item.value)
            }
            guard own <= (1 << 62) - total else { break }
            total += own
            if merged == nil { merged = h } else { merged?.merge(h) }
        }
        return merged
    }

    static func layout(of histogram: Histogram<UInt64>) -> HdrLayout {
        // The histogram was built from these parameters, so HdrHistogram accepted them.
        guard
            let layout = HdrLayout(
                significantDigits: Int(histogram.numberOfSignificantValueDigits.rawValue),
                lowestDiscernibleValue: histogram.lowestDiscernibleValue, highestTrackableValue: histogram.highestTrackableValue)
        else { preconditionFailure("HdrHistogram built a histogram whose parameters HdrLayout rejects") }
        return layout
    }

    /// Records a decoded histogram's counts, in its layout's values, as HdrHistogram reads
    /// them back: the top index stands for its highest value (the maximum), the others for
    /// their lowest. In our own layout each lands at the index it came from.
    private mutating func add(_ decoded: HdrCompressedEncoding.Decoded) -> Bool {
        var sum = DecodedSum()
        for (n, entry) in decoded.counts.enumerated() {
            let isTop = n == decoded.counts.count - 1
            let value = isTop ? decoded.layout.highestValue(at: entry.index) : decoded.layout.lowestValue(at: entry.index)
            let clamped = Swift.min(Swift.max(value, 1), Self.highestTrackableMicros)
            guard sum.admit(clamped, count: entry.count, in: histogram) else { return false }
            histogram.record(clamped, count: entry.count)
        }
        return true
    }
}

/// hdrhistogram-swift sums count × value in a UInt64 and traps past it (in `mean` and in
/// every iteration), so a decoded histogram, which is untrusted, keeps that sum under
/// 2^56 µs: 2,283 years of latency, and 256 such histograms merged still fit.
struct DecodedSum {
    private static let limit: UInt64 = 1 << 56
    private var total: UInt64 = 0

    mutating func admit(_ value: UInt64, count: UInt64, in histogram: Histogram<UInt64>) -> Bool {
        let (product, overflow) = count.multipliedReportingOverflow(by: histogram.highestEquivalentForValue(value))
        guard !overflow, product <= Self.limit - total else { return false }
        total += product
        return true
    }
}
