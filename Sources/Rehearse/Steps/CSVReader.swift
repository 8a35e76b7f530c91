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

    private mutating func nextRecord(checkFields: Bool) throws(CSVError) -> CSVRecord? {
        var index = start
        var quoted = false
        var fields = 1
        var newlines = 0
        var fieldStart = true
        while true {
            if index >= buffer.count {
                if eof { break }
                let offset = index - start
                try fill()
                index = start + offset
                continue
            }
            let b = buffer[index]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if index + 1 >= buffer.count && !eof {
                        let offset = index - start
                        try fill()
                        index = start + offset
                        continue
                    }
                    if index + 1 < buffer.count && buffer[index + 1] == UInt8(ascii: "\"") {
                        index += 2
                        continue
                    }
                    quoted = false
                } else if b == UInt8(ascii: "\n") {
                    newlines += 1
                }
                index += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                guard fieldStart else {
                    throw CSVError(file: url.path, line: line + newlines, message: "a quote inside an unquoted field (quote the whole field and double the quote)")
                }
                quoted = true
                fieldStart = false
            case UInt8(ascii: ","):
                fields += 1
                fieldStart = true
            case UInt8(ascii: "\n"):
                let record = buffer[start...index]
                let recordLine = line
                line += newlines + 1
                start = index + 1
                if record.count == 1 || (record.count == 2 && record.first == UInt8(ascii: "\r")) {
                    // A blank line: skip it.
                    return try nextRecord(checkFields: checkFields)
                }
                try check(fields: fields, line: recordLine, checkFields: checkFields, record: record)
                return CSVRecord(bytes: record, line: recordLine)
            default:
                fieldStart = false
            }
            index += 1
        }
        if quoted {
            throw CSVError(file: url.path, line: line, message: "a quoted field is not closed before the end of the file")
        }
        guard index > start else { return nil }
        var record = Array(buffer[start..<index])
        record.append(UInt8(ascii: "\n"))
        let recordLine = line
        start = index
        if record.allSatisfy({ $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == 32 }) { return nil }
        try check(fields: fields, line: recordLine, checkFields: checkFields, record: record[...])
        return CSVRecord(bytes: record[...], line: recordLine)
    }

    private func check(fields: Int, line: Int, checkFields: Bool, record: ArraySlice<UInt8>) throws(CSVError) {
        if String(validating: record, as: UTF8.self) == nil {
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
