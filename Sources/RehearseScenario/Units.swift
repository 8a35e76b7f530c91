import Foundation

/// Text that is not a value of its unit, or a value outside its documented range
/// (`NumberRanges`); the message says which and what to write.
struct UnitError: Error, Equatable {
    var message: String
}

/// Durations (`250ms`, `2s`, `1m`, `1h`, `500us`), sizes (`64kB`, `512MB`, `1GB`, bytes) and fractions (`5%`, `0.05`).
/// The optional forms answer nil for both bad text and out-of-range values; the `parse` forms say which.
package enum Units {
    static func duration(_ text: String) -> Duration? { try? parseDuration(text).get() }
    static func size(_ text: String) -> Int64? { try? parseSize(text).get() }
    static func rate(_ text: String) -> Double? { try? parseRate(text).get() }

    static func parseDuration(_ text: String) -> Result<Duration, UnitError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("min", 60), ("h", 3600)]
        let malformed = UnitError(message: "'\(text)' is not a duration (write 250ms, 2s, 1m)")
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(suffix) {
            guard let n = number(t.dropLast(suffix.count)), n >= 0 else { return .failure(malformed) }
            let seconds = n * scale
            guard seconds <= NumberRanges.maxDurationSeconds else {
                return .failure(UnitError(message: "'\(text)' is out of range: a duration is at most 7 days (168h)"))
            }
            return .success(.nanoseconds(Int64((seconds * 1e9).rounded())))
        }
        return .failure(malformed)
    }

    static func parseSize(_ text: String) -> Result<Int64, UnitError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("", 1), ("B", 1), ("kB", 1024), ("KB", 1024), ("MB", 1_048_576), ("GB", 1_073_741_824), ("TB", 1_099_511_627_776),
        ]
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(suffix) {
            guard let n = number(t.dropLast(suffix.count)), n >= 0 else { break }
            let bytes = (n * scale).rounded(.down)
            guard bytes <= Double(NumberRanges.maxSizeBytes) else {
                return .failure(UnitError(message: "'\(text)' is out of range: a size is at most 1TB"))
            }
            return .success(Int64(bytes))
        }
        return .failure(UnitError(message: "'\(text)' is not a size (write 64kB, 512MB, 1GB)"))
    }

    /// The one fraction parser: `5%` or `0.05`, from 0 to `largest` (1 for a share of
    /// rows or an error rate; `NumberRanges.maxThreshold` for `--threshold`).
    package static func fraction(_ text: String, atMost largest: Double = 1) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") {
            guard let n = number(t.dropLast()), n >= 0, n <= largest * 100 else { return nil }
            return n / 100
        }
        guard let n = number(Substring(t)), n >= 0, n <= largest else { return nil }
        return n
    }

    /// `200/s`, `50/m`, `200`: per second.
    static func parseRate(_ text: String) -> Result<Double, UnitError> {
        let malformed = UnitError(message: "'\(text)' is not a rate (write 200/s)")
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let n = number(parts[0]), n > 0 else { return .failure(malformed) }
        let perSecond: Double
        switch parts.count == 1 ? "s" : parts[1] {
        case "s": perSecond = n
        case "m", "min": perSecond = n / 60
        case "h": perSecond = n / 3600
        default: return .failure(malformed)
        }
        guard perSecond >= NumberRanges.minRatePerSecond * (1 - 1e-9), perSecond <= NumberRanges.maxRatePerSecond else {
            return .failure(UnitError(message: "'\(text)' is out of range: a rate is between 1/h and 1000000/s"))
        }
        return .success(perSecond)
    }

    /// A finite decimal number. `Double("nan")`, `"inf"` and hexadecimal floats parse too; none is a value here.
    static func number(_ text: Substring) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(t).flatMap { $0.isFinite ? $0 : nil }
    }
}
