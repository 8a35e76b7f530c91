/// A PostgreSQL major version read from a version string: `16` from `16.2`, `18` from
/// `18devel` or `18beta1`, `15` from `15.18 (Debian 15.18-0+deb12u1)`.
public enum PostgresMajor {
    /// The leading number of `version`, or nil when it does not start with one (`unknown`).
    public static func of(_ version: String) -> Int? {
        let digits = version.prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }

    /// The major as PostgreSQL names it: `15` for `15.18`, `16` for `16beta1`, and `9.6` for
    /// `9.6.24` (before 10 a major was two numbers); the text itself when it has no number.
    public static func name(_ version: String) -> String {
        let numbers = version.split(whereSeparator: { !$0.isNumber }).map(String.init)
        guard let first = numbers.first else { return version }
        if let n = Int(first), n < 10, numbers.count > 1 { return "\(first).\(numbers[1])" }
        return first
    }
}

extension ResultsDocument {
    /// The major version of the server this document's run used (`environment.postgres_version`).
    public var postgresMajor: Int? { PostgresMajor.of(environment.postgresVersion) }
}
