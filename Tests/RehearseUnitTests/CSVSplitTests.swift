import Foundation
import TestBasics
import Testing

@testable import RehearseEngine
@testable import RehearseScenario

/// Splitting a CSV file for parallel COPY streams: every range starts at a record, and
/// the ranges read one after the other give exactly the records (bytes and lines) one
/// reader gives.
@Suite("CSV split for parallel streams")
final class CSVSplitTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder(prefix: "csv-split") }

    /// (text, line) of every record, read by one reader.
    private func whole(_ url: URL) throws -> [(String, Int)] {
        var reader = try CSVReader(url: url)
        var records: [(String, Int)] = []
        while let record = try reader.nextRecord() { records.append((String(decoding: record.bytes, as: UTF8.self), record.line)) }
        return records
    }

    /// The ranges of a split into `parts`, and the records of each, read through windows of `readSize`.
    private func split(_ url: URL, parts: Int, readSize: Int) throws -> ([CSVRange], [[(String, Int)]]) {
        let head = try CSVReader(url: url)
        let ranges = try CSVSplit.ranges(url: url, dataStart: head.offset, line: head.line, parts: parts)
        var perRange: [[(String, Int)]] = []
        for range in ranges {
            var reader = try CSVReader(url: url, header: head.header, range: range, readSize: readSize)
            var records: [(String, Int)] = []
            while let record = try reader.nextRecord() { records.append((String(decoding: record.bytes, as: UTF8.self), record.line)) }
            perRange.append(records)
        }
        return (ranges, perRange)
    }

    private func expectSameRecords(_ url: URL, parts: ClosedRange<Int>, readSizes: [Int] = [5, 64, 1 << 16]) throws {
        let expected = try whole(url)
        for n in parts {
            for readSize in readSizes {
                let (ranges, perRange) = try split(url, parts: n, readSize: readSize)
                #expect(ranges.count <= n)
                #expect(perRange.allSatisfy { !$0.isEmpty }, "an empty range in \(ranges)")
                let joined = perRange.flatMap { $0 }
                #expect(joined.map(\.0) == expected.map(\.0), "parts \(n), read size \(readSize)")
                #expect(joined.map(\.1) == expected.map(\.1), "lines, parts \(n), read size \(readSize)")
                #expect(zip(ranges, perRange).allSatisfy { $0.line == $1.first?.1 }, "a range's line is its first record's")
            }
        }
    }

    /// One quoted field with many newlines fills the middle of the file, where a split
    /// into two aims: the split comes after that record, not at a newline inside it.
    @Test func aQuotedFieldWithNewlinesAcrossTheSplitPoint() throws {
        var text = "id,note\n1,short\n2,\""
        for i in 0..<400 { text += "line \(i), \"\"quoted\"\"\n" }
        text += "end\"\n3,after\n4,last\n"
        let url = try folder.file(Array(text.utf8))
        let head = try CSVReader(url: url)
        let ranges = try CSVSplit.ranges(url: url, dataStart: head.offset, line: head.line, parts: 2)
        let afterBig = Int64(Array(text.utf8).count - "3,after\n4,last\n".utf8.count)
        #expect(ranges.map(\.start) == [head.offset, afterBig])
        #expect(ranges.last?.line == 404)
        try expectSameRecords(url, parts: 1...6)
    }

    @Test func crlfLineEndsAndAQuotedHeader() throws {
        // A byte order mark, a header whose quoted names hold a comma, a doubled quote and a
        // newline, CRLF records with CRLF and commas inside quotes, empty lines, no final line end.
        var text = "\u{FEFF}\"id\",\"a \"\"b\"\", c\r\nd\"\r\n"
        for i in 1...300 {
            text += i % 5 == 0 ? "\(i),\"x\r\ny, \"\"\(i)\"\"\"\r\n" : "\(i),plain \(i)\r\n"
            if i % 37 == 0 { text += "\r\n" }
        }
        text += "301,end"
        let url = try folder.file(Array(text.utf8))
        let head = try CSVReader(url: url)
        #expect(head.header == ["id", "a \"b\", c\r\nd"])
        #expect(head.line == 3)
        try expectSameRecords(url, parts: 1...12)
    }

    @Test func moreStreamsThanRecordsLeavesNoEmptyRange() throws {
        let url = try folder.file(Array("id\n1\n2\n".utf8))
        let (ranges, perRange) = try split(url, parts: 8, readSize: 3)
        #expect(ranges.count == 2)
        #expect(perRange.map { $0.map(\.0) } == [["1\n"], ["2\n"]])
        let headerOnly = try folder.file(Array("id,name\n".utf8))
        #expect(try split(headerOnly, parts: 4, readSize: 3).0.isEmpty)
    }

    /// Random records of quoted and plain fields, split every way from 2 to 16.
    @Test func randomFilesSplitEveryWay() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            var text = "k,v,w\n"
            for i in 0..<Int.random(in: 50...400, using: &random) {
                let v = ["a", "\"b,\nc\"", "\"\"", "\"q\"\"\"", "\"\n\n\"", "long text here"].randomElement(using: &random)!
                text += "\(i),\(v),\(Bool.random(using: &random) ? "x" : "\"y\r\n\"")\(Bool.random(using: &random) ? "\r\n" : "\n")"
            }
            try expectSameRecords(try folder.file(Array(text.utf8)), parts: 2...16, readSizes: [7, 1 << 16])
        }
    }

    @Test func autoStreamsAreTheCoresAtMostFourAndOnePerFourMegabytes() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(SeedPlan.streams(.auto, dataBytes: 1 << 30) == min(cores, 4))
        #expect(SeedPlan.streams(.auto, dataBytes: 1000) == 1)
        #expect(SeedPlan.streams(.count(3), dataBytes: 10) == 3)
    }

    /// The vector count agrees with a byte-by-byte one whatever the length and start
    /// (runs over 255 vector rounds, tails shorter than a vector or a word).
    @Test func quoteAndLineCountsMatchAPlainCount() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab,\"\n\"\n x".utf8)
        for length in [0, 7, 31, 32, 33, 100, 8191, 8192 + 45, 40_000] {
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            for from in [0, 1, 5] where from <= length {
                let got = bytes.withUnsafeBytes { raw in
                    raw.baseAddress.map { CSVSplit.count(in: $0, from: from, to: length) } ?? (quotes: 0, lines: 0)
                }
                let tail = bytes[from...]
                #expect(got.quotes == tail.filter { $0 == 0x22 }.count, "length \(length) from \(from)")
                #expect(got.lines == tail.filter { $0 == 0x0A }.count, "length \(length) from \(from)")
            }
        }
    }
}
