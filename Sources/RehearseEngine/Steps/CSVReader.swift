import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an RFC 4180 CSV file record by record through a fixed window
/// (64 KiB reads by default), never the whole file: quoted fields may hold
/// commas, doubled quotes and newlines; lines may end in LF or CRLF.
///
/// The first record is the header. Every later record must have as many
/// fields as the header and be valid UTF-8; a quote inside an unquoted field
/// or text after a closing quote is an error naming the line.
///
/// Non-copyable: two copies would read the same file descriptor and each see
/// half the file.
struct CSVReader: ~Copyable {
    let url: URL
    let header: [String]
    private let file: CSVFile
    private var window: CSVWindow

    /// Opens the file and reads its header. `readSize` is how much one read(2)
    /// asks for; tests make it tiny to put records across window edges.
    init(url: URL, readSize: Int = 1 << 16) throws(CSVError) {
        let file = try CSVFile(reading: url)
        var window = CSVWindow(url: url, fd: file.fd, readSize: readSize)
        try window.skipByteOrderMark()
        guard let first = try window.next(fields: nil) else {
            throw CSVError(file: url.path, line: 1, message: "the file is empty: its first line must name the columns")
        }
        let header = first.fields()
        var seen = Set<String>()
        for (index, name) in header.enumerated() {
            guard !name.isEmpty else {
                throw CSVError(file: url.path, line: first.line, message: "column \(index + 1) of the header has no name")
            }
            guard seen.insert(name).inserted else {
                throw CSVError(file: url.path, line: first.line, message: "the header names column \"\(name)\" twice")
            }
        }
        self.url = url
        self.header = header
        self.file = file
        self.window = window
    }

    /// Opens the file for one stream of a split seed: reads `range` only, whose first
    /// record starts at its `start`; `header` is the file's, read by another reader.
    init(url: URL, header: [String], range: CSVRange, readSize: Int = 1 << 16) throws(CSVError) {
        let file = try CSVFile(reading: url)
        guard lseek(file.fd, off_t(range.start), SEEK_SET) == off_t(range.start) else {
            throw CSVError(file: url.path, line: range.line, message: "cannot seek: \(String(cString: strerror(errno)))")
        }
        var window = CSVWindow(url: url, fd: file.fd, readSize: readSize, offset: range.start, line: range.line)
        window.stop(at: range.end)
        self.url = url
        self.header = header
        self.file = file
        self.window = window
    }

    /// The file offset of the next record: after `init(url:)`, where the data rows start.
    var offset: Int64 { window.offset }
    /// The line where the next record starts.
    var line: Int { window.nextLine }

    /// Reads no record that starts at or after file offset `limit` (a record boundary).
    mutating func stop(at limit: Int64) { window.stop(at: limit) }

    /// The next record, or nil at the end of the file. Empty lines are skipped.
    /// The record shares the reader's window: keep it past the next call and the window is copied.
    mutating func nextRecord() throws(CSVError) -> CSVRecord? {
        try window.next(fields: header.count)
    }

    /// Appends up to `limit` next records to `chunk`, ready for COPY, without handing
    /// out each (see `CSVWindow.append`): how many, and the lines of the first and last.
    mutating func append(upTo limit: Int, into chunk: inout [UInt8]) throws(CSVError) -> (records: Int, firstLine: Int, lastLine: Int) {
        try window.append(upTo: limit, fields: header.count, into: &chunk)
    }
}
