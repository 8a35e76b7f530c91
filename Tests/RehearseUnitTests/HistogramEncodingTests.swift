import Foundation
import Histogram
import Testing
@testable import RehearseEngine
@testable import RehearseHistogram


/// A step's `histogram` is "base64 HdrHistogram, microseconds" (the results format):
/// HdrHistogram's standard compressed encoding, checked against the Python reference
/// implementation (`pip install hdrhistogram`, version 0.10.8) in both directions.
@Suite("HdrHistogram encoding")
struct HistogramEncodingTests {
    /// Values 1, 2, 3, 1000 and 123456 µs, once each, in a histogram of rehearse's
    /// parameters (1 µs to an hour, 3 digits), as Python encodes it:
    ///
    ///     from hdrh.histogram import HdrHistogram
    ///     h = HdrHistogram(1, 3600000000, 3)
    ///     for v in (1, 2, 3, 1000, 123456): h.record_value(v)
    ///     h.encode()
    ///
    /// The other way, Python decodes `encoded()` of the same histogram to the same
    /// recorded values and percentiles:
    ///
    ///     d = HdrHistogram.decode(swift_encoded)
    ///     [(i.value_iterated_to, i.count_at_value_iterated_to) for i in d.get_recorded_iterator()]
    ///     # [(1, 1), (2, 1), (3, 1), (1000, 1), (123519, 1)]
    ///     [d.get_value_at_percentile(p) for p in (20, 40, 60, 80, 90)], d.get_max_value()
    ///     # [1, 2, 3, 1000, 123519], 123519
    static let pythonVector = "HISTFAAAACl4nJNpmSzMwMDAxQABzFCaEURcm7yEwf4DVICJiek4P9P+PCYAiCAGnw=="

    /// `encoded()` of those values, inflated: the V2 header (cookie 0x1c849313, payload
    /// length 10, normalizing offset 0, 3 digits, lowest 1, highest 3,600,000,000, ratio
    /// 1.0), then the counts as ZigZag LEB128: a zero at index 0, ones at 1, 2 and 3, 996
    /// zeros, a one at 1000, 7072 zeros, a one at 8073. Python's C encoder writes the
    /// single zero as a run of one (0x01); Java, and this, as a count of 0.
    static let smallInflated: [UInt8] = [
        0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 3,
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xd6, 0x93, 0xa4, 0x00,
        0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
        0x00, 0x02, 0x02, 0x02, 0xc7, 0x0f, 0x02, 0xbf, 0x6e, 0x02,
    ]

    static func small() -> LatencyHistogram {
        var h = LatencyHistogram()
        for v: UInt64 in [1, 2, 3, 1000, 123_456] { h.record(micros: v) }
        return h
    }

    static func spread(seed: UInt64) -> LatencyHistogram {
        var random = FastRandom(seed: seed)
        var h = LatencyHistogram()
        for _ in 0..<50_000 {
            // Mostly fast, a tail up to the hour: every bucket size gets used.
            let top: UInt64 = random.next() % 10 == 0 ? LatencyHistogram.highestTrackableMicros : 5_000
            h.record(micros: 1 + random.next() % top)
        }
        return h
    }

    @Test func decodesThePythonReferenceVector() throws {
        let h = try #require(LatencyHistogram(encoded: Self.pythonVector))
        #expect(h.count == 5)
        #expect(h.histogram.recordedValues().map { [$0.value, $0.count] } == [[1, 1], [2, 1], [3, 1], [1000, 1], [123_519, 1]])
        #expect([20.0, 40, 60, 80].map { h.millis(atPercentile: $0) } == [0.001, 0.002, 0.003, 1.0])
        #expect(h.maxMillis == 123.519)
        #expect(h.encoded() == Self.small().encoded())
    }

    @Test func encodesAsHdrHistogramDoes() throws {
        let bytes = try #require(Data(base64Encoded: Self.small().encoded())).map { $0 }
        #expect(Self.small().encoded().hasPrefix("HISTF"))
        #expect(bytes.prefix(4) == [0x1c, 0x84, 0x93, 0x14])
        let length = bytes[4..<8].reduce(0) { $0 << 8 | Int($1) }
        #expect(length == bytes.count - 8)
        #expect(Zlib.inflate(bytes[8...], limit: 1 << 20) == Self.smallInflated)
    }

    /// The counts-array index of a value is Java's, so every reader sees the same values:
    /// checked against hdrhistogram-swift's equivalence ranges and Python's
    /// `get_counts_array_index` (1000 → 1000, 123456 → 8073, `counts_len` 23552).
    @Test func layoutIsHdrHistograms() throws {
        let h = LatencyHistogram().histogram
        let layout = LatencyHistogram.layout(of: h)
        #expect(layout.countsLength == 23_552)
        #expect(layout.index(of: 1000) == 1000 && layout.index(of: 123_456) == 8073)
        var random = FastRandom(seed: 5)
        var values: [UInt64] = Array(0...5000) + (1...31).flatMap { [(1 << $0) - 1, 1 << $0, (1 << $0) + 1] }
        values += (0..<20_000).map { _ in random.next() % LatencyHistogram.highestTrackableMicros }
        for v in values {
            let index = layout.index(of: v)
            #expect(layout.lowestValue(at: index) == h.lowestEquivalentForValue(v), "value \(v)")
            #expect(layout.highestValue(at: index) == h.highestEquivalentForValue(v), "value \(v)")
        }
        #expect(layout.index(of: LatencyHistogram.highestTrackableMicros) < layout.countsLength)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func roundTripKeepsCountPercentilesAndMax(seed: UInt64) throws {
        var h = Self.spread(seed: seed)
        if seed == 3 { h.record(micros: LatencyHistogram.highestTrackableMicros) }
        let decoded = try #require(LatencyHistogram(encoded: h.encoded()))
        #expect(decoded.count == h.count)
        #expect(decoded.maxMillis == h.maxMillis)
        // The same counts at the same indices: the same encoding.
        #expect(decoded.encoded() == h.encoded())
        for p in [1.0, 10, 50, 90, 95, 99, 99.9, 100] {
            #expect(decoded.millis(atPercentile: p) == h.millis(atPercentile: p), "p\(p)")
        }
    }

    /// The encoding holds buckets, not the exact maximum, so a percentile that falls in
    /// the maximum's bucket is that bucket's highest value, before and after, as every
    /// HdrHistogram library reports it (Python: 550, 990 and 5001215 for p50, p90 and p99
    /// here).
    @Test func aPercentileInTheMaximumsBucketSurvivesTheRoundTrip() throws {
        var h = LatencyHistogram()
        for v in 1...1000 { h.record(micros: UInt64(v)) }
        for _ in 0..<100 { h.record(micros: 5_000_000) }
        let decoded = try #require(LatencyHistogram(encoded: h.encoded()))
        for p in [50.0, 90, 95, 99, 99.9, 100] {
            #expect(decoded.millis(atPercentile: p) == h.millis(atPercentile: p), "p\(p)")
        }
        #expect([50.0, 90, 99].map { h.millis(atPercentile: $0) } == [0.55, 0.99, 5001.215])
        #expect(h.millis(atPercentile: 99) == h.maxMillis)
    }

    /// Baselines in results/ and in users' CI hold the encoding rehearse wrote before;
    /// this one is `reseed`'s in results/baselines/reseed-complete.json, with its
    /// latency_ms beside it.
    @Test func decodesTheOldRH1Form() throws {
        let old =
            "UkgxywUBBAEPAQMBBAEJAQcBBwEFAQ0BCAEBAQkBAgEEAQ4BAQEaAQcBBQEOAQQBDwELAg0BBAEKAQgBbAENAQwBFQEOAScBUgE5ARwBAgEkAUUBCgEmARoBCQGXAQFfAWEBAwEdAQ=="
        let h = try #require(LatencyHistogram(encoded: old))
        #expect(h.count == 50)
        #expect(h.summary.map { [$0.p50, $0.p90, $0.p95, $0.p99, $0.p999, $0.max] } == [0.903, 1.502, 1.845, 1.877, 1.877, 1.877])
        let again = try #require(LatencyHistogram(encoded: h.encoded()))
        #expect(again.summary == h.summary)
    }

    @Test func badInputIsNilNotACrash() throws {
        let good = try #require(Data(base64Encoded: Self.small().encoded())).map { $0 }
        var inputs = ["", "not base64!", "SElTVA==", Data((0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37) }).base64EncodedString()]
        // Every truncation, and every single corrupted byte of the header and stream.
        inputs += (0..<good.count).map { Data(good.prefix($0)).base64EncodedString() }
        inputs += (0..<good.count).map { i in
            var bytes = good
            bytes[i] ^= 0x5a
            return Data(bytes).base64EncodedString()
        }
        // A compressed length far past the end.
        inputs.append(Data(good.prefix(4) + [0x7f, 0xff, 0xff, 0xff] + good.dropFirst(8)).base64EncodedString())
        for input in inputs {
            // A corrupted byte inside the deflate stream could still inflate (zlib's
            // Adler-32 catches nearly all); what matters is a nil or a sound histogram.
            if let h = LatencyHistogram(encoded: input) { #expect(h.summary != nil) }
        }
        for length in 0..<good.count {
            #expect(LatencyHistogram(encoded: Data(good.prefix(length)).base64EncodedString()) == nil, "\(length) bytes")
        }
        #expect(LatencyHistogram(encoded: "not base64!") == nil)
    }

    /// Well-formed zlib around a hostile inner encoding.
    @Test func hostileEncodingsAreNil() throws {
        func wire(
            cookie: UInt32 = 0x1c84_9313, offset: UInt32 = 0, digits: UInt32 = 3, lowest: UInt64 = 1,
            highest: UInt64 = 3_600_000_000, payload: [UInt8], extra: Int = 0
        ) -> String {
            var inner: [UInt8] = []
            func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.bigEndian) { inner += $0 } }
            put(cookie)
            put(UInt32(payload.count))
            put(offset)
            put(digits)
            put(lowest)
            put(highest)
            put((1.0 as Double).bitPattern)
            inner += payload + [UInt8](repeating: 0, count: extra)
            let deflated = Zlib.deflate(inner)
            var outer: [UInt8] = []
            withUnsafeBytes(of: UInt32(0x1c84_9314).bigEndian) { outer += $0 }
            withUnsafeBytes(of: UInt32(deflated.count).bigEndian) { outer += $0 }
            return Data(outer + deflated).base64EncodedString()
        }
        let one: [UInt8] = [0x02]  // a count of 1 at index 0
        #expect(LatencyHistogram(encoded: wire(payload: one)) != nil)
        #expect(LatencyHistogram(encoded: wire(cookie: 0x1c84_9312, payload: one)) == nil)
        #expect(LatencyHistogram(encoded: wire(offset: 1, payload: one)) == nil)
        #expect(LatencyHistogram(encoded: wire(digits: 6, payload: one)) == nil)
        #expect(LatencyHistogram(encoded: wire(lowest: 0, payload: one)) == nil)
        #expect(LatencyHistogram(encoded: wire(highest: 1, payload: one)) == nil)
        #expect(LatencyHistogram(encoded: wire(highest: .max, payload: one)) == nil)
        // A zero run past the end of the counts array, then a count there.
        #expect(LatencyHistogram(encoded: wire(payload: [0xff, 0xff, 0x02, 0x02])) == nil)
        // A varint that never ends.
        #expect(LatencyHistogram(encoded: wire(payload: [0x82, 0x80])) == nil)
        // Counts whose sum of latencies no UInt64 holds: the library would trap summing them.
        let huge: [UInt8] = [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]  // Int64.max
        #expect(LatencyHistogram(encoded: wire(payload: huge)) == nil)
        // A stream that inflates past the limit: 17 MB of zeros in about 17 KB.
        #expect(LatencyHistogram(encoded: wire(payload: one, extra: 17 << 20)) == nil)
        // An old RH1 whose value deltas overflow, and one cut inside a varint.
        let rh1 = Array("RH1".utf8)
        #expect(
            LatencyHistogram(encoded: Data(rh1 + [0x05, 0x01] + [UInt8](repeating: 0xff, count: 9) + [0x01, 0x01]).base64EncodedString())
                == nil)
        #expect(LatencyHistogram(encoded: Data(rh1 + [0x05, 0x81]).base64EncodedString()) == nil)
    }

    /// A results file's repetitions merged: each histogram near the largest sum a decoded
    /// one may hold (2^55.7 µs), 300 times, would pass what a UInt64 sums; the merge stops
    /// short of that instead of trapping, and what it kept still gives percentiles.
    @Test func mergingManyHostileHistogramsStopsShortOfOverflow() throws {
        var big = LatencyHistogram()
        var pairs: [UInt8] = []
        for v in [UInt64(3_600_000_000), 1 << 24] {  // value, count: varints
            var x = v
            while x >= 0x80 {
                pairs.append(UInt8(x & 0x7f) | 0x80)
                x >>= 7
            }
            pairs.append(UInt8(x))
        }
        let added = big.add(pairs: pairs)
        #expect(added)
        let text = big.encoded()
        let merged = try #require(LatencyHistogram.merging(Array(repeating: text, count: 300)))
        #expect(merged.count > big.count && merged.count < 300 * big.count)
        #expect(merged.summary != nil)
        #expect(LatencyHistogram.merging(["not a histogram"]) == nil)
    }
}
