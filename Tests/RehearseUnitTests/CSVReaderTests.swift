import Foundation
import TestBasics
import Testing

@testable import RehearseEngine

@Suite("CSV reader")
final class CSVReaderTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder(prefix: "csv-tests") }

    /// Every record as (raw text, line, fields).
    private func records(_ url: URL, readSize: Int = 1 << 16) throws -> [(String, Int, [String])] {
        var reader = try CSVReader(url: url, readSize: readSize)
        var result: [(String, Int, [String])] = []
        while let record = try reader.nextRecord() {
            result.append((String(decoding: record.bytes, as: UTF8.self), record.line, record.fields()))
        }
        return result
    }

    private func error(_ url: URL, readSize: Int = 1 << 16) -> CSVError? {
        do {
            var reader = try CSVReader(url: url, readSize: readSize)
            while try reader.nextRecord() != nil {}
            return nil
        } catch {
            return error
        }
    }

    static let tricky = #"""
        id,name,note\#r
        1,"Smith, John","said ""hi"""\#r
        2,,\#r
        3,"two
        lines, and a ""quote""",x\#r
        \#r
        4,"",""\#r
        5,plain,"a\#r
        crlf inside"\#r
        6,last,no newline
        """#

    @Test func quotesCommasNewlinesEmptyFieldsAndCRLF() throws {
        let url = try folder.file(Self.tricky)
        let reader = try CSVReader(url: url)
        #expect(reader.header == ["id", "name", "note"])
        let all = try records(url)
        #expect(
            all.map(\.0) == [
                "1,\"Smith, John\",\"said \"\"hi\"\"\"\n",
                "2,,\n",
                "3,\"two\nlines, and a \"\"quote\"\"\",x\n",
                "4,\"\",\"\"\n",
                "5,plain,\"a\r\ncrlf inside\"\n",
                "6,last,no newline\n",
            ])
        #expect(all.map(\.1) == [2, 3, 4, 7, 8, 10])
        #expect(
            all.map(\.2) == [
                ["1", "Smith, John", "said \"hi\""],
                ["2", "", ""],
                ["3", "two\nlines, and a \"quote\"", "x"],
                ["4", "", ""],
                ["5", "plain", "a\r\ncrlf inside"],
                ["6", "last", "no newline"],
            ])
    }

    @Test(arguments: [1, 2, 3, 5, 7, 16])
    func recordsAcrossWindowEdgesAreTheSame(readSize: Int) throws {
        let url = try folder.file(Self.tricky)
        let small = try records(url, readSize: readSize)
        let large = try records(url)
        #expect(small.map(\.0) == large.map(\.0))
        #expect(small.map(\.1) == large.map(\.1))
        #expect(small.map(\.2) == large.map(\.2))
    }

    /// Random records (long plain runs for the eight-byte scan, and every special
    /// character in and out of quotes) written as a CSV writer would, read back
    /// through windows of several sizes: the same fields and line numbers.
    @Test(arguments: [7, 64, 1 << 16])
    func randomRecordsRoundTrip(readSize: Int) throws {
        var random = FastRandom(seed: UInt64(readSize))
        let pieces = ["a", "plain-text-run-of-bytes", ",", "\"", "\n", "\r\n", "é", "日本語", " ", "0123456789abcdef", ""]
        var text = "c1,c2,c3\n"
        var expected: [([String], Int)] = []
        var line = 2
        for _ in 0..<2000 {
            var fields: [String] = []
            for _ in 0..<3 {
                var field = ""
                for _ in 0..<Int(random.next() % 5) { field += pieces[Int(random.next() % UInt64(pieces.count))] }
                fields.append(field)
            }
            if fields == ["", "", ""] { fields[0] = "x" }  // an all-empty record is an empty line
            expected.append((fields, line))
            let encoded = fields.map { field -> String in
                let special = field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
                return special ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }
            let record = encoded.joined(separator: ",")
            text += record + (random.next() % 2 == 0 ? "\n" : "\r\n")
            line += 1 + record.utf8.filter { $0 == 0x0A }.count
        }
        let got = try records(try folder.file(text), readSize: readSize)
        #expect(got.count == expected.count)
        for (g, e) in zip(got, expected) where g.2 != e.0 || g.1 != e.1 {
            Issue.record("line \(e.1): read \(g.2) at line \(g.1), wrote \(e.0)")
            break
        }
    }

    @Test func byteOrderMarkAndMultibyteText() throws {
        let url = try folder.file("\u{FEFF}code,name\nPASL,Crème brûlée\nVLIT,\"日本, 語\"\n")
        var reader = try CSVReader(url: url, readSize: 3)
        #expect(reader.header == ["code", "name"])
        #expect(try reader.nextRecord()?.fields() == ["PASL", "Crème brûlée"])
        #expect(try reader.nextRecord()?.fields() == ["VLIT", "日本, 語"])
        #expect(try reader.nextRecord() == nil)
    }

    @Test func headerOnlyAndTrailingBlankLines() throws {
        #expect(try records(try folder.file("a,b\n")).isEmpty)
        #expect(try records(try folder.file("a,b")).isEmpty)
        #expect(try records(try folder.file("a,b\n1,2\n\n\n")).map(\.0) == ["1,2\n"])
    }

    @Test func errorsNameTheFileAndLine() throws {
        let cases: [(String, Int, String)] = [
            ("a,b\n1,2\n3,\"open\nstill open\n", 3, "not closed before the end of the file"),
            ("a,b\n1,2\n1,2,3\n", 3, "the record has 3 fields, the header has 2"),
            ("a,b\n1\n", 2, "the record has 1 field, the header has 2"),
            ("a,b\n1,ab\"c\n", 2, "a quote inside an unquoted field"),
            ("a,b\n1,\"ab\"c\n", 2, "text after a closing quote"),
            ("a,b\n1,2\r3,4\n", 2, "a carriage return without a line feed"),
            ("a,b\n1,\"x\ny\",\"z\"\"\n", 3, "not closed before the end of the file"),
            ("", 1, "the file is empty"),
            ("a,,c\n", 1, "column 2 of the header has no name"),
            ("a,b,a\n", 1, "the header names column \"a\" twice"),
        ]
        for (text, line, message) in cases {
            let url = try folder.file(text)
            for readSize in [1, 4, 1 << 16] {
                let error = try #require(self.error(url, readSize: readSize), "\(text.debugDescription)")
                #expect(error.file == url.path)
                #expect(error.line == line, "\(text.debugDescription)")
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }

    @Test func invalidUTF8NamesTheLine() throws {
        let bytes = Array("a,b\n1,\"x\ny\"\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let error = try #require(self.error(try folder.file(bytes)))
        #expect(error.line == 4)
        #expect(error.message.contains("UTF-8"))
        for invalid: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            #expect(self.error(try folder.file(Array("a\n".utf8) + invalid + [0x0A])) != nil)
        }
        #expect(self.error(try folder.file(Array("a\n".utf8) + [0xF0, 0x9F, 0x98, 0x80, 0x0A])) == nil)
    }

    @Test func missingFileIsAnError() {
        let url = folder.url.appendingPathComponent("absent.csv")
        #expect(throws: CSVError.self) { _ = try CSVReader(url: url) }
    }

    @Test func aMillionRowsStreamed() throws {
        let url = folder.url.appendingPathComponent("big.csv")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: Data("id,name,note\n".utf8))
        let rows = 1_000_000
        var batch = ""
        for i in 1...rows {
            batch += i % 10 == 0 ? "\(i),\"name, \(i)\",\"two\nlines\"\r\n" : "\(i),n\(i),\n"
            if i % 50_000 == 0 {
                try handle.write(contentsOf: Data(batch.utf8))
                batch = ""
            }
        }
        try handle.close()

        var reader = try CSVReader(url: url)
        var count = 0
        var bytes = 0
        var last: CSVRecord?
        while let record = try reader.nextRecord() {
            count += 1
            bytes += record.bytes.count
            last = record
        }
        #expect(count == rows)
        #expect(last?.fields() == ["1000000", "name, 1000000", "two\nlines"])
        // The header, then a line per row and one more for each earlier two-line row.
        #expect(last?.line == 1 + rows + (rows / 10 - 1))
        // Every line end is one "\n": the file less its header and the CRs.
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        #expect(bytes == (size ?? 0) - "id,name,note\n".utf8.count - rows / 10)
    }
}
