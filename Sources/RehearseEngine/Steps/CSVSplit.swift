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
        var splitter = try CSVSplitter(url: url, dataStart: dataStart, line: line, parts: parts)
        var ranges: [CSVRange] = []
        while let range = try splitter.next() { ranges.append(range) }
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

/// `CSVSplit.ranges` one range at a time: each call reads only as far as the next
/// boundary, so the streams of a large file start loading after a sixteenth of it is
/// scanned, and the rest of the scan runs beside them instead of before them.
struct CSVSplitter {
    let url: URL
    private let file: CSVFile
    private let size: Int64
    /// Offsets past which the next line feed outside quotes ends a range.
    private let targets: [Int64]
    private var target = 0
    /// Bytes before `position` are counted: `quotes` quotes, and `position` is on `lines`.
    private var position: Int64
    private var quotes = 0
    private var lines: Int
    /// Where the next range starts, and its line.
    private var start: Int64
    private var startLine: Int
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(url: URL, dataStart: Int64, line: Int, parts: Int) throws(CSVError) {
        let file = try CSVFile(reading: url)
        var info = stat()
        guard fstat(file.fd, &info) == 0 else {
            throw CSVError(file: url.path, line: 0, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        self.url = url
        self.file = file
        size = Int64(info.st_size)
        let dataBytes = size - dataStart
        targets = parts > 1 && dataBytes > 0 ? (1..<parts).map { dataStart + dataBytes * Int64($0) / Int64(parts) } : []
        position = dataStart
        lines = line
        start = dataStart
        startLine = line
    }

    /// The next range in file order, or nil after the last.
    mutating func next() throws(CSVError) -> CSVRange? {
        guard start < size else { return nil }
        if let boundary = try nextBoundary() {
            defer { (start, startLine) = (boundary.offset, boundary.line) }
            return CSVRange(start: start, end: boundary.offset, line: startLine)
        }
        defer { start = size }
        return CSVRange(start: start, end: size, line: startLine)
    }

    /// The first record boundary past the next target, before the file's end; nil when
    /// the rest of the file is one range.
    private mutating func nextBoundary() throws(CSVError) -> (offset: Int64, line: Int)? {
        var seeking = false  // past targets[target]: the next even-quoted line feed is a boundary
        while target < targets.count {
            let from = position
            let fd = file.fd
            let n = buffer.withUnsafeMutableBytes { bytes in
                guard let address = bytes.baseAddress else { return 0 }  // never: the buffer is allocated once, not empty
                return pread(fd, address, bytes.count, off_t(from))
            }
            guard n >= 0 else {
                if errno == EINTR { continue }
                throw CSVError(file: url.path, line: lines, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return nil }
            var i = 0
            while i < n {
                if !seeking {
                    // Count up to the target in words; then byte by byte to the boundary.
                    let stop = Int(min(Int64(n), targets[target] - from))
                    let (q, l) = buffer.withUnsafeBytes { bytes in
                        guard let address = bytes.baseAddress else { return (0, 0) }  // never: it holds `n` bytes
                        return CSVSplit.count(in: address, from: i, to: max(i, stop))
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
                        let boundary = from + Int64(i)
                        position = boundary
                        // Targets before the boundary (records longer than a part) are passed.
                        while target < targets.count && targets[target] < boundary { target += 1 }
                        if boundary < size { return (boundary, lines) }
                        return nil
                    }
                }
            }
            position = from + Int64(n)
        }
        return nil
    }
}
