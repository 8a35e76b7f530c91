import Foundation
import RehearseSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The reading and scanning half of `CSVReader`: a window on the file that
/// finds where each record ends. Copyable so that `CSVReader.init` can finish
/// reading the header before the non-copyable reader exists.
struct CSVWindow {
    let url: URL
    let fd: Int32
    private let readSize: Int
    private var buffer: [UInt8]
    private var start = 0  // first byte not yet returned
    private var count = 0  // bytes of `buffer` holding file data
    private var eof = false
    private var line = 1  // line of buffer[start]
    private var base: Int64 = 0  // file offset of buffer[0]
    private var end = Int64.max  // file offset where reading stops (a stream's range)

    /// `offset` and `line`: where the file descriptor stands and that byte's line
    /// (a stream of a split file starts in the middle).
    init(url: URL, fd: Int32, readSize: Int, offset: Int64 = 0, line: Int = 1) {
        self.url = url
        self.fd = fd
        self.readSize = max(1, readSize)
        buffer = [UInt8](repeating: 0, count: self.readSize)
        base = offset
        self.line = line
    }

    /// The file offset of the next record (after the header, once it is read).
    var offset: Int64 { base + Int64(start) }
    /// The line of the next record.
    var nextLine: Int { line }

    /// Ends the window at file offset `limit`, a record boundary: bytes already read
    /// past it are dropped, and no read goes past it.
    mutating func stop(at limit: Int64) {
        end = limit
        if base + Int64(count) > limit { count = max(start, Int(limit - base)) }
    }

    // MARK: scanning

    private enum Scan {
        /// A record ending at the `\n` at `newline`.
        case record(newline: Int, crlf: Bool, fields: Int, newlines: Int)
        /// The file ended after a record without a line end.
        case lastRecord(fields: Int, newlines: Int)
        case needMore
        case end
        case error(newlines: Int, message: String)
    }

    /// The next record, or nil at the end of the file; empty lines are skipped.
    /// With `fields`, a record with another number of fields is an error.
    mutating func next(fields expected: Int?) throws(CSVError) -> CSVRecord? {
        while true {
            switch scan() {
            case .needMore:
                try fill()
            case .end:
                return nil
            case .error(let newlines, let message):
                throw CSVError(file: url.path, line: line + newlines, message: message)
            case .record(let newline, let crlf, let fields, let newlines):
                let first = start
                let recordLine = line
                start = newline + 1
                line += newlines + 1
                var last = newline
                if crlf {
                    // The record is handed out as a slice: move its line end onto the CR.
                    buffer[newline - 1] = 0x0A
                    last = newline - 1
                }
                if last == first { continue }  // an empty line
                return try record(first...last, line: recordLine, fields: fields, expected: expected)
            case .lastRecord(let fields, let newlines):
                if count == buffer.count { buffer.append(0x0A) } else { buffer[count] = 0x0A }
                count += 1
                let first = start
                let recordLine = line
                start = count
                line += newlines + 1
                return try record(first...(count - 1), line: recordLine, fields: fields, expected: expected)
            }
        }
    }

    /// Appends up to `limit` next records to `chunk` as `next` would hand them out (each
    /// ending in one `"\n"`, empty lines left out), checked the same way and failing on the
    /// same record, but copied in runs of whole records and checked for UTF-8 a run at a
    /// time: loading a file needs no record on its own. The count, and the lines where the
    /// first and the last appended record start.
    mutating func append(
        upTo limit: Int, fields expected: Int, into chunk: inout [UInt8]
    ) throws(CSVError) -> (records: Int, firstLine: Int, lastLine: Int) {
        var records = 0
        var firstLine = 0
        var lastLine = 0
        var runStart = start  // bytes runStart..<start are checked records not yet appended
        var runLine = line
        func flush(_ window: inout CSVWindow) throws(CSVError) {
            let (from, to) = (runStart, window.start)
            guard to > from else { return }
            let invalid = window.buffer.withUnsafeBufferPointer { UTF8Validation.firstInvalid($0, from: from, to: to) }
            if let invalid {
                let newlines = window.buffer[from..<invalid].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                throw CSVError(file: window.url.path, line: runLine + newlines, message: "the record is not valid UTF-8")
            }
            window.buffer.withUnsafeBufferPointer { chunk.append(contentsOf: UnsafeBufferPointer(rebasing: $0[from..<to])) }
        }
        while records < limit {
            switch scan() {
            case .needMore:
                try flush(&self)
                try fill()
                (runStart, runLine) = (start, line)
            case .end:
                try flush(&self)
                return (records, firstLine, lastLine)
            case .error(let newlines, let message):
                try flush(&self)
                throw CSVError(file: url.path, line: line + newlines, message: message)
            case .record(let newline, let crlf, let fields, let newlines):
                let last = crlf ? newline - 1 : newline  // where the record's "\n" goes
                if last == start {  // an empty line
                    try flush(&self)
                    start = newline + 1
                    line += newlines + 1
                    (runStart, runLine) = (start, line)
                    continue
                }
                if fields != expected {
                    try flush(&self)
                    _ = try record(start...last, line: line, fields: fields, expected: expected)
                }
                if records == 0 { firstLine = line }
                lastLine = line
                records += 1
                line += newlines + 1
                if crlf {
                    start = last
                    try flush(&self)
                    chunk.append(0x0A)
                    start = newline + 1
                    (runStart, runLine) = (start, line)
                } else {
                    start = newline + 1
                }
            case .lastRecord(let fields, let newlines):
                if fields != expected {
                    try flush(&self)
                    _ = try record(start...(count - 1), line: line, fields: fields, expected: expected)
                }
                if records == 0 { firstLine = line }
                lastLine = line
                records += 1
                line += newlines + 1
                start = count
                try flush(&self)
                chunk.append(0x0A)
                (runStart, runLine) = (start, line)
            }
        }
        try flush(&self)
        return (records, firstLine, lastLine)
    }

    private func record(
        _ range: ClosedRange<Int>, line recordLine: Int, fields: Int, expected: Int?
    ) throws(CSVError) -> CSVRecord {
        let invalid = buffer.withUnsafeBufferPointer { UTF8Validation.firstInvalid($0, from: range.lowerBound, to: range.upperBound + 1) }
        if let invalid {
            let newlines = buffer[range.lowerBound..<invalid].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw CSVError(file: url.path, line: recordLine + newlines, message: "the record is not valid UTF-8")
        }
        if let expected, fields != expected {
            throw CSVError(
                file: url.path, line: recordLine,
                message: "the record has \(fields) field\(fields == 1 ? "" : "s"), the header has \(expected)")
        }
        return CSVRecord(bytes: buffer[range], line: recordLine)
    }

    /// Finds the end of the record at `start` in the bytes at hand.
    private func scan() -> Scan {
        let eof = eof
        return buffer.withUnsafeBufferPointer { p -> Scan in
            let count = count
            var i = start
            var fields = 1
            var newlines = 0
            var quotedAt = 0  // newlines before the open quote
            // 0: at a field's start, 1: in an unquoted field, 2: in quotes, 3: after the closing quote
            var state = 0
            guard let address = p.baseAddress else { preconditionFailure("the window's buffer is never empty") }
            let base = UnsafeRawPointer(address)
            while i < count {
                // Runs of ordinary bytes are skipped eight at a time.
                if state == 2 {
                    i = Self.skip(base, from: i, to: count, quoted: true)
                    if i >= count { break }
                } else if state != 3 {
                    let next = Self.skip(base, from: i, to: count, quoted: false)
                    if next > i {
                        state = 1
                        i = next
                        if i >= count { break }
                    }
                }
                let c = p[i]
                if state == 2 {
                    if c == 0x22 {
                        if i + 1 >= count {
                            if !eof { return .needMore }  // "" or the closing quote: the next byte decides
                            state = 3
                        } else if p[i + 1] == 0x22 {
                            i += 2
                            continue
                        } else {
                            state = 3
                        }
                    } else if c == 0x0A {
                        newlines += 1
                    }
                    i += 1
                    continue
                }
                switch c {
                case 0x2C:
                    fields += 1
                    state = 0
                case 0x0A:
                    return .record(newline: i, crlf: false, fields: fields, newlines: newlines)
                case 0x0D:
                    if i + 1 >= count {
                        if !eof { return .needMore }
                        return .error(newlines: newlines, message: "a carriage return without a line feed outside quotes")
                    }
                    if p[i + 1] == 0x0A {
                        return .record(newline: i + 1, crlf: true, fields: fields, newlines: newlines)
                    }
                    return .error(newlines: newlines, message: "a carriage return without a line feed outside quotes")
                case 0x22:
                    if state != 0 {
                        return .error(
                            newlines: newlines,
                            message: "a quote inside an unquoted field (quote the whole field and double the quote)")
                    }
                    state = 2
                    quotedAt = newlines
                default:
                    if state == 3 {
                        return .error(newlines: newlines, message: "text after a closing quote (a field is quoted whole or not at all)")
                    }
                    state = 1
                }
                i += 1
            }
            if !eof { return .needMore }
            if state == 2 {
                return .error(newlines: quotedAt, message: "a quoted field that starts here is not closed before the end of the file")
            }
            return i > start ? .lastRecord(fields: fields, newlines: newlines) : .end
        }
    }

    /// The first byte at or after `from` that the scanner must look at: outside
    /// quotes a comma, quote, CR or LF; inside quotes a quote or LF.
    @inline(__always)
    static func skip(_ base: UnsafeRawPointer, from: Int, to: Int, quoted: Bool) -> Int {
        quoted
            ? ByteSearch.first(in: base, from: from, to: to, anyOf: (0x22, 0x0A, 0x0A, 0x0A, 0x0A))
            : ByteSearch.first(in: base, from: from, to: to, anyOf: (0x22, 0x0A, 0x2C, 0x0D, 0x0D))
    }

    // MARK: reading

    /// Keeps the unfinished record, moved to the front, and reads more after it.
    private mutating func fill() throws(CSVError) {
        let held = count - start
        if start > 0 {
            if held > 0 {
                buffer.withUnsafeMutableBufferPointer { p in
                    guard let address = p.baseAddress else { return }  // never: it holds `held` bytes
                    _ = memmove(address, address + start, held)
                }
            }
            base += Int64(start)
            start = 0
            count = held
        }
        // A record longer than the window doubles it; reads grow with the record held,
        // so a huge record is rescanned a logarithmic number of times.
        if count == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
        let want = Int(min(Int64(min(buffer.count - count, max(readSize, held))), max(0, end - base - Int64(count))))
        let offset = count
        var n: Int
        repeat {
            n = buffer.withUnsafeMutableBufferPointer { p in
                guard let address = p.baseAddress else { return 0 }  // never: the window is never empty
                return read(fd, address + offset, want)
            }
        } while n < 0 && errno == EINTR
        guard n >= 0 else {
            throw CSVError(file: url.path, line: line, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        if n == 0 { eof = true }
        count += n
    }

    mutating func skipByteOrderMark() throws(CSVError) {
        while count < 3 && !eof { try fill() }
        if count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
    }
}
