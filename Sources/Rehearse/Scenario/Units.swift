import Foundation

/// Durations (`250ms`, `2s`, `1m`, `1h`, `500us`), sizes (`64kB`, `512MB`, `1GB`, bytes) and fractions (`5%`, `0.05`).
enum Units {
    static func duration(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("min", 60), ("h", 3600)]
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n >= 0, n.isFinite else { return nil }
            return .nanoseconds(Int64((n * scale * 1e9).rounded()))
        }
        return nil
    }

    static func size(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let n = Int64(t), n >= 0 { return n }
        let units: [(String, Double)] = [
            ("B", 1), ("kB", 1024), ("KB", 1024), ("MB", 1_048_576), ("GB", 1_073_741_824), ("TB", 1_099_511_627_776),
        ]
        for (suffix, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n >= 0, n.isFinite else { return nil }
            return Int64(n * scale)
        }
        return nil
    }

    static func fraction(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") {
            guard let n = Double(t.dropLast()), n >= 0, n <= 100 else { return nil }
            return n / 100
        }
        guard let n = Double(t), n >= 0, n <= 1 else { return nil }
        return n
    }

    /// `200/s`, `50/m`, `200`: per second.
    static func rate(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: "/")
        guard let n = Double(parts.first ?? ""), n > 0, n.isFinite else { return nil }
        if parts.count == 1 { return n }
        guard parts.count == 2 else { return nil }
        switch parts[1] {
        case "s": return n
        case "m", "min": return n / 60
        case "h": return n / 3600
        default: return nil
        }
    }
}
