import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes of a CSV file that one seed stream loads: whole records, from `start`
/// (where a record begins) to `end` (just after a record's line end, or the file's end).
struct CSVRange: Sendable, Equatable {
    var start: Int64
    var end: Int64
    /// The 1-based line of the byte at `start`.
    var line: Int
}

/// Splits the data rows of a CSV file into byte ranges of about equal size that each
/// start and end at a record boundary, for parallel COPY streams.
///
/// In an RFC 4180 file a line feed ends a record exactly when an even number of
/// quotes precede it (a doubled quote inside a quoted field counts two), so one pass
/// counting quotes and line feeds finds every boundary without parsing fields: about
/// a byte per cycle, far less than a stream's own parse. A file that is not valid
/// CSV may be split at a wrong place; the stream that reads the bad record reports it
/// with its line, as one stream would.
enum CSVSplit {
    /// At most `parts` ranges covering `dataStart` (after the header) to the file's end;
    /// fewer when the file has fewer records. Empty ranges are left out.
    static func ranges(url: URL, dataStart: Int64, line: Int, parts: Int) throws(CSVError) -> [CSVRange] {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CSVError(file: url.path, line: 0, message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw CSVError(file: url.path, line: 0, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        let size = Int64(info.st_size)
        guard parts > 1, size > dataStart else { return size > dataStart ? [CSVRange(start: dataStart, end: size, line: line)] : [] }
        let targets = (1..<parts).map { dataStart + (size - dataStart) * Int64($0) / Int64(parts) }

        var boundaries: [(offset: Int64, line: Int)] = [(dataStart, line)]
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = dataStart  // file offset of buffer[0]
        var quotes = 0
        var lines = line  // line of the byte at `offset`
        var target = 0
        var seeking = false  // past targets[target]: the next even-quoted line feed is a boundary
        reading: while target < targets.count {
            let n = buffer.withUnsafeMutableBytes { bytes in
                guard let address = bytes.baseAddress else { return 0 }  // never: the buffer is allocated once, not empty
                return pread(fd, address, bytes.count, off_t(offset))
            }
            guard n >= 0 else {
                if errno == EINTR { continue }
                throw CSVError(file: url.path, line: lines, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            var i = 0
            while i < n {
                if !seeking {
                    // Count up to the target in words; then byte by byte to the boundary.
                    let stop = Int(min(Int64(n), targets[target] - offset))
                    let (q, l) = buffer.withUnsafeBytes { bytes in
                        guard let address = bytes.baseAddress else { return (0, 0) }  // never: it holds `n` bytes
                        return count(in: address, from: i, to: max(i, stop))
                    }
                    quotes += q
                    lines += l
                    i = max(i, stop)
                    if i < n { seeking = true }
                    continue
                }
                let c = buffer[i]
                i += 1
                if c == 0x22 {
                    quotes += 1
                } else if c == 0x0A {
                    lines += 1
                    if quotes & 1 == 0 {
                        let boundary = offset + Int64(i)
                        if boundary < size { boundaries.append((boundary, lines)) }
                        seeking = false
                        // Targets before the boundary (records longer than a part) are passed.
                        while target < targets.count && targets[target] < boundary { target += 1 }
                        if target == targets.count { break reading }
                    }
                }
            }
            offset += Int64(n)
        }
        var ranges: [CSVRange] = []
        for (index, boundary) in boundaries.enumerated() {
            let end = index + 1 < boundaries.count ? boundaries[index + 1].offset : size
            if end > boundary.offset { ranges.append(CSVRange(start: boundary.offset, end: end, line: boundary.line)) }
        }
        return ranges
    }

    /// Quotes and line feeds in `base[from..<to]`, eight bytes at a time. The zero-byte
    /// test here is the exact one (no borrow crosses bytes), so every match counts once.
    static func count(in base: UnsafeRawPointer, from: Int, to: Int) -> (quotes: Int, lines: Int) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { ~(((x & lows) &+ lows) | x | lows) }
        var quotes = 0
        var lines = 0
        var i = from
        while i + 8 <= to {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            quotes += zeroBytes(w ^ (ones &* 0x22)).nonzeroBitCount
            lines += zeroBytes(w ^ (ones &* 0x0A)).nonzeroBitCount
            i += 8
        }
        while i < to {
            let c = base.load(fromByteOffset: i, as: UInt8.self)
            if c == 0x22 { quotes += 1 } else if c == 0x0A { lines += 1 }
            i += 1
        }
        return (quotes, lines)
    }
}
