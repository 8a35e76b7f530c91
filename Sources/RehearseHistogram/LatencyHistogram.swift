import Foundation
public import Histogram

/// Batch latencies in microseconds, kept in an HdrHistogram (3 significant digits,
/// 1 µs to 1 hour), so percentiles never average away a tail.
public struct LatencyHistogram: Sendable {
    public static let highestTrackableMicros: UInt64 = 3_600_000_000

    public internal(set) var histogram: Histogram<UInt64>

    public init() {
        histogram = Histogram(
            lowestDiscernibleValue: 1,
            highestTrackableValue: Self.highestTrackableMicros,
            numberOfSignificantValueDigits: .three)
    }

    public var count: UInt64 { histogram.totalCount }

    public mutating func record(micros: UInt64) {
        let clamped = Swift.min(Swift.max(micros, 1), Self.highestTrackableMicros)
        _ = histogram.record(clamped)
    }

    public mutating func record(nanoseconds: UInt64) {
        record(micros: (nanoseconds + 500) / 1000)
    }

    public mutating func merge(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    /// The value at a percentile (0...100), in milliseconds: the highest value of its
    /// bucket, as HdrHistogram's Java, C and Python libraries report it from the encoded
    /// histogram. (hdrhistogram-swift stops at the exact maximum instead, which the
    /// encoding does not carry, so a percentile in the maximum's bucket would change on
    /// the way through a results document.)
    public func millis(atPercentile p: Double) -> Double {
        guard count > 0 else { return 0 }
        if p >= 100 { return maxMillis }
        return Double(histogram.highestEquivalentForValue(histogram.valueAtPercentile(p))) / 1000
    }

    public var maxMillis: Double { count > 0 ? Double(histogram.max) / 1000 : 0 }
    public var meanMillis: Double { count > 0 ? histogram.mean / 1000 : 0 }

    public var summary: LatencySummary? {
        guard count > 0 else { return nil }
        return LatencySummary(
            p50: millis(atPercentile: 50), p90: millis(atPercentile: 90),
            p95: millis(atPercentile: 95), p99: millis(atPercentile: 99),
            p999: millis(atPercentile: 99.9), max: maxMillis,
            mean: (meanMillis * 1000).rounded() / 1000)
    }
}

extension LatencyHistogram {
    /// The encoding results documents held before the standard one: base64 of `"RH1"`,
    /// then the varint (value delta, count) pairs of `pairs()`.
    static let legacyMagic = Array("RH1".utf8)

    /// Records a legacy `"RH1"` encoding's values (`bytes` without its magic); false if
    /// it is malformed. Checked whole before anything is recorded: the input is untrusted,
    /// and `add(pairs:)` trusts its own output.
    mutating func add(legacyPairs bytes: [UInt8]) -> Bool {
        var index = 0
        var value: UInt64 = 0
        var sum = DecodedSum()
        while index < bytes.count {
            guard let delta = Self.readVarint(bytes, &index), let count = Self.readVarint(bytes, &index) else { return false }
            let (next, overflow) = value.addingReportingOverflow(delta)
            guard !overflow, next <= Self.highestTrackableMicros, sum.admit(Swift.max(next, 1), count: count, in: histogram)
            else { return false }
            value = next
        }
        return add(pairs: bytes)
    }

    /// The encoding's body alone: the varint (value delta, count) pairs.
    package func pairs() -> [UInt8] {
        var bytes: [UInt8] = []
        appendPairs(to: &bytes)
        return bytes
    }

    /// Records the values of `pairs()` output (from `start`); false if it is malformed.
    @discardableResult
    package mutating func add(pairs bytes: [UInt8], from start: Int = 0) -> Bool {
        var index = start
        var value: UInt64 = 0
        while index < bytes.count {
            guard let delta = Self.readVarint(bytes, &index), let count = Self.readVarint(bytes, &index)
            else { return false }
            value += delta
            guard value <= Self.highestTrackableMicros else { return false }
            _ = histogram.record(Swift.max(value, 1), count: count)
        }
        return true
    }

    package mutating func reset() { histogram.reset() }

    private func appendPairs(to bytes: inout [UInt8]) {
        var previous: UInt64 = 0
        for item in histogram.recordedValues() {
            // The top bucket carries the exact maximum, so `max` survives the round trip.
            let exactMax = histogram.valuesAreEquivalent(item.value, histogram.max)
            let value = Swift.min(exactMax ? histogram.max : item.value, Self.highestTrackableMicros)
            Self.appendVarint(value - previous, to: &bytes)
            Self.appendVarint(item.count, to: &bytes)
            previous = value
        }
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private static func readVarint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let b = bytes[index]
            index += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }
}
