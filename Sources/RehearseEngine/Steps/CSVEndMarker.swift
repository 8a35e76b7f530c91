/// A record that is exactly `\.` ends the data for PostgreSQL's CSV reader before 18, which
/// then loads none of the chunk's later rows and reports no error. Only a one-column file
/// can hold such a record (any other has too few fields); quoted, `"\."` is read by every
/// version as the two characters, which is what the binary format and PostgreSQL 18 load.
enum CSVEndMarker {
    /// Quotes every record of `chunk` (records as `CSVReader` hands them out, each ending in
    /// one `"\n"`) that is exactly `\.`; quote parity tells records from lines inside a
    /// quoted field. Leaves `chunk` untouched (and uncopied) when it holds none.
    static func quote(_ chunk: inout [UInt8]) {
        guard chunk.count >= 3, contains(chunk) else { return }
        var out: [UInt8] = []
        out.reserveCapacity(chunk.count + 16)
        var quoted = false
        var start = true  // at the start of a record
        var i = 0
        while i < chunk.count {
            if start && !quoted && i + 2 < chunk.count && chunk[i] == 0x5C && chunk[i + 1] == 0x2E && chunk[i + 2] == 0x0A {
                out += [0x22, 0x5C, 0x2E, 0x22, 0x0A]
                i += 3
                continue
            }
            let c = chunk[i]
            out.append(c)
            if c == 0x22 { quoted.toggle() }
            start = c == 0x0A && !quoted
            i += 1
        }
        chunk = out
    }

    /// Whether `\.` followed by a line feed occurs anywhere (a quick test before the exact
    /// one): backslashes found eight bytes at a time, as the CSV scans find their bytes.
    private static func contains(_ chunk: [UInt8]) -> Bool {
        chunk.withUnsafeBytes { p in
            guard let base = p.baseAddress else { return false }
            let last = p.count - 2  // where a match can start, exclusive
            var i = 0
            while true {
                i = ByteSearch.first(in: base, from: i, to: last, anyOf: (0x5C, 0x5C, 0x5C, 0x5C, 0x5C))
                guard i < last else { return false }
                if p[i + 1] == 0x2E && p[i + 2] == 0x0A { return true }
                i += 1
            }
        }
    }
}
