import Yams

extension ScenarioBuilder {
    /// `database.versions: [15, 16, 18]`: majors, at least one, none twice.
    func versions(_ node: Node) -> [Int]? {
        guard let items = reader.list(node, "database.versions") else { return nil }
        guard !items.isEmpty else {
            reader.fail(node, "database.versions", "expected at least one PostgreSQL major version (write [15, 16, 18])")
            return nil
        }
        var versions: [Int] = []
        for (i, item) in items.enumerated() {
            let key = "database.versions[\(i + 1)]"
            guard
                let major = reader.int(
                    item, key, min: PostgresVersions.range.lowerBound, max: PostgresVersions.range.upperBound)
            else { continue }
            if versions.contains(major) {
                reader.fail(item, key, "\(major) is listed twice")
                continue
            }
            versions.append(major)
        }
        return versions
    }
}
