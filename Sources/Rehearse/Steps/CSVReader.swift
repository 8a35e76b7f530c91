import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One CSV record: its bytes as they stand in the file (newline-terminated),
/// ready to be sent to COPY … WITH (FORMAT csv), and its first line.
struct CSVRecord {
    var bytes: ArraySlice<UInt8>
    var line: Int

    /// The field values (quotes removed), parsed on demand.
    func fields() -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let b = bytes[index]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if index + 1 < bytes.endIndex && bytes[index + 1] == UInt8(ascii: "\"") {
                        current.append(b)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(b)
                }
            } else if b == UInt8(ascii: "\"") {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                // end of record
            } else {
                current.append(b)
            }
            index += 1
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}

struct CSVError: Error, Sendable, CustomStringConvertible {
    var file: String
    var line: Int
    var message: String
    var description: String { "\(file):\(line): \(message)" }
}

/// Reads a CSV file record by record through a 64 KiB window (RFC 4180:
/// quoted fields may hold commas, quotes and newlines), never the whole file.
struct CSVReader {
    let url: URL
    private(set) var header: [String] = []
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var line = 1
    private var fieldCount = 0
    private let closer: FileCloser

    init(url: URL) throws(CSVError) {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw CSVError(file: url.path, line: 0, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        closer = FileCloser(fd: fd)
        buffer.reserveCapacity(1 << 17)
        guard let first = try nextRecord(checkFields: false) else {
            throw CSVError(file: url.path, line: 1, message: "empty CSV file: the first row must name the columns")
        }
        header = first.fields()
        if header.first?.hasPrefix("\u{FEFF}") == true { header[0].removeFirst() }
        guard !header.contains(where: { $0.isEmpty }) else {
            throw CSVError(file: url.path, line: 1, message: "the header row has an empty column name")
        }
        fieldCount = header.count
    }

    mutating func nextRecord() throws(CSVError) -> CSVRecord? {
        try nextRecord(checkFields: true)
    }

    private mutating func fill() throws(CSVError) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let chunk = 1 << 16
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, chunk) }
        if n < 0 { throw CSVError(file: url.path, line: line, message: "read failed: \(String(cString: strerror(errno)))") }
        buffer.removeLast(chunk - n)
        if n == 0 { eof = true }
    }

    /// Where the record starting at `from` ends, scanning the bytes in hand without bounds checks.
    private struct Scan {
        var end: Int?  // index of the terminating newline
        var fields = 1
        var newlines = 0
        var quoted = false
        var strayQuoteAt: Int?  // newlines before a quote inside an unquoted field
        var scanned: Int  // where the scan stopped
    }

    private func scan(from: Int) -> Scan {
        buffer.withUnsafeBufferPointer { bytes in
            var s = Scan(end: nil, scanned: from)
            var i = from
            var fieldStart = true
            let count = bytes.count
            while i < count {
                let b = bytes[i]
                if s.quoted {
                    if b == 0x22 {  // "
                        if i + 1 >= count { s.scanned = i; return s }  // cannot tell "" from " yet
                        if bytes[i + 1] == 0x22 { i += 2; continue }
                        s.quoted = false
                    } else if b == 0x0A {
                        s.newlines += 1
                    }
                    i += 1
                    continue
                }
                switch b {
                case 0x22:
                    if !fieldStart { s.strayQuoteAt = s.newlines; s.end = i; return s }
                    s.quoted = true
                    fieldStart = false
                case 0x2C:
                    s.fields += 1
                    fieldStart = true
                case 0x0A:
                    s.end = i
                    return s
                default:
                    fieldStart = false
                }
                i += 1
            }
            s.scanned = i
            return s
        }
    }

    private mutating func nextRecord(checkFields: Bool) throws(CSVError) -> CSVRecord? {
        while true {
            var s = scan(from: start)
            while s.end == nil && !eof {
                try fill()
                s = scan(from: start)
            }
            if let stray = s.strayQuoteAt {
                throw CSVError(
                    file: url.path, line: line + stray,
                    message: "a quote inside an unquoted field (quote the whole field and double the quote)")
            }
            if let end = s.end {
                let record = buffer[start...end]
                let recordLine = line
                line += s.newlines + 1
                start = end + 1
                if record.count == 1 || (record.count == 2 && record.first == UInt8(ascii: "\r")) { continue }  // blank line
                try check(fields: s.fields, line: recordLine, checkFields: checkFields, record: record)
                return CSVRecord(bytes: record, line: recordLine)
            }
            // End of file without a final newline.
            if s.quoted {
                throw CSVError(file: url.path, line: line, message: "a quoted field is not closed before the end of the file")
            }
            guard buffer.count > start else { return nil }
            var record = Array(buffer[start...])
            record.append(UInt8(ascii: "\n"))
            let recordLine = line
            start = buffer.count
            if record.allSatisfy({ $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == 32 }) { return nil }
            try check(fields: s.fields, line: recordLine, checkFields: checkFields, record: record[...])
            return CSVRecord(bytes: record[...], line: recordLine)
        }
    }

    private func check(fields: Int, line: Int, checkFields: Bool, record: ArraySlice<UInt8>) throws(CSVError) {
        // Most rows are ASCII: only rows with high bytes are decoded to be validated.
        if !record.allSatisfy({ $0 < 0x80 }), String(validating: record, as: UTF8.self) == nil {
            throw CSVError(file: url.path, line: line, message: "the row is not valid UTF-8")
        }
        if checkFields && fields != fieldCount {
            throw CSVError(file: url.path, line: line, message: "the row has \(fields) fields, the header has \(fieldCount)")
        }
    }
}

/// Closes the reader's file when the last copy of the reader goes away.
final class FileCloser {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
