import Foundation
import TestBasics
import Testing

@testable import RehearseEngine

/// `CSVReader.append`, the seed's way to read runs of records, gives the bytes and the
/// errors that reading record by record gives.
@Suite("CSV runs of records")
final class CSVAppendTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder(prefix: "csv-append") }

    /// Record by record: the bytes, the lines, or the error.
    private func oneByOne(_ url: URL, readSize: Int) -> Result<([UInt8], [Int]), CSVError> {
        do throws(CSVError) {
            var reader = try CSVReader(url: url, readSize: readSize)
            var bytes: [UInt8] = []
            var lines: [Int] = []
            while let record = try reader.nextRecord() {
                bytes += record.bytes
                lines.append(record.line)
            }
            return .success((bytes, lines))
        } catch {
            return .failure(error)
        }
    }

    /// In runs of `run` records: the bytes, the first and last line of each run, or the error.
    private func inRuns(_ url: URL, readSize: Int, run: Int) -> Result<([UInt8], [Int]), CSVError> {
        do throws(CSVError) {
            var reader = try CSVReader(url: url, readSize: readSize)
            var bytes: [UInt8] = []
            var lines: [Int] = []
            while true {
                let (records, first, last) = try reader.append(upTo: run, into: &bytes)
                if records == 0 { break }
                lines += [first, last]
            }
            return .success((bytes, lines))
        } catch {
            return .failure(error)
        }
    }

    private func expectSame(_ text: [UInt8], _ comment: String, failing: Bool = false) throws {
        let url = try folder.file(text)
        if case .success = oneByOne(url, readSize: 1 << 16) { #expect(!failing, "\(comment) should fail") }
        for readSize in [3, 8, 100, 1 << 16] {
            for run in [1, 2, 7, 1000] {
                let expected = oneByOne(url, readSize: readSize)
                let got = inRuns(url, readSize: readSize, run: run)
                switch (expected, got) {
                case (.success(let (bytes, lines)), .success(let (runBytes, runLines))):
                    #expect(runBytes == bytes, "\(comment), read size \(readSize), run \(run)")
                    // Each run's first and last line are among the records', in order.
                    #expect(runLines.allSatisfy(lines.contains), "\(comment)")
                    #expect(runLines.first == lines.first && runLines.last == lines.last, "\(comment)")
                case (.failure(let error), .failure(let runError)):
                    #expect(runError == error, "\(comment), read size \(readSize), run \(run)")
                default:
                    Issue.record("\(comment), read size \(readSize), run \(run): \(expected) ≠ \(got)")
                }
            }
        }
    }

    @Test func sameBytesAsRecordByRecord() throws {
        try expectSame(Array("id,name\r\n1,\"a\r\nb\"\r\n\r\n2,\"x, \"\"y\"\"\"\n\n3,last".utf8), "CRLF, empty lines, no final newline")
        try expectSame(Array("\u{FEFF}id\n1\n2\n".utf8), "byte order mark")
        try expectSame(Array("a,b\n1,é\n2,\"日本\n語\"\n".utf8), "multibyte")
        try expectSame(Array("a,b\n".utf8), "header only")
    }

    @Test func sameErrorsOnTheSameLine() throws {
        try expectSame(Array("a,b\n1,2\n3\n4,5\n".utf8), "a field missing", failing: true)
        try expectSame(Array("a,b\n1,2\n\"3\n\",4,5\n".utf8), "a field too many after a quoted newline", failing: true)
        try expectSame(Array("a,b\n1,2\n3,\"x\ny\"\n".utf8) + [0x34, 0x2C, 0xFF, 0x0A], "invalid UTF-8", failing: true)
        try expectSame(Array("a,b\n1,2\n3,\"\n".utf8), "an unclosed quote", failing: true)
        try expectSame(Array("a,b\n1,2\n3,x\"y\n".utf8), "a quote inside a field", failing: true)
        try expectSame(
            Array("a,b\r\n1,2\r\n3,\u{00}\r\n".utf8) + [0xC3, 0x28, 0x2C, 0x31, 0x0D, 0x0A], "invalid UTF-8 after CRLF", failing: true)
        try expectSame(Array("a,b\n1,2\n".utf8) + [0xE2, 0x82] + Array(",3\n".utf8), "a truncated sequence", failing: true)
        try expectSame(Array("a,b\n1,2\n3,4".utf8) + [0xFF], "invalid UTF-8 in a last record without newline", failing: true)
        try expectSame(Array("a,b\n1,2\n3,4,5".utf8), "a last record with a field too many", failing: true)
    }
}
