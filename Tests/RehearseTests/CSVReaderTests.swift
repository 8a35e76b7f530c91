import Foundation
import Testing

@testable import Rehearse

@Suite("Streaming CSV reader")
struct CSVReaderTests {
    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rh-csv-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: false, encoding: .utf8)
        return url
    }

    @Test func readsQuotedFieldsWithNewlinesAndCRLF() throws {
        let url = try write("id,name\r\n1,\"a, \"\"quoted\"\"\nname\"\r\n2,plain\r\n\r\n3,\n")
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try CSVReader(url: url)
        #expect(reader.header == ["id", "name"])
        let first = try #require(try reader.nextRecord())
        #expect(first.fields() == ["1", "a, \"quoted\"\nname"])
        #expect(first.line == 2)
        let second = try #require(try reader.nextRecord())
        #expect(second.line == 4)
        #expect(second.fields() == ["2", "plain"])
        let third = try #require(try reader.nextRecord())
        #expect(third.fields() == ["3", ""])
        #expect(try reader.nextRecord() == nil)
    }

    @Test func raggedRowNamesItsLine() throws {
        let url = try write("a,b\n1,2\n3\n")
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try CSVReader(url: url)
        _ = try reader.nextRecord()
        #expect(throws: CSVError.self) { _ = try reader.nextRecord() }
        do { _ = try reader.nextRecord() } catch { #expect(error.line == 3 || error.line == 4) }
    }

    @Test func unterminatedQuoteIsAnError() throws {
        let url = try write("a,b\n1,\"open\n")
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try CSVReader(url: url)
        do {
            _ = try reader.nextRecord()
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("not closed"))
        }
    }

    @Test func streamsALargeFileAcrossBufferBoundaries() throws {
        var text = "id,payload\n"
        for i in 0..<200_000 { text += "\(i),\"row \(i), with comma\"\n" }
        let url = try write(text)
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try CSVReader(url: url)
        var count = 0
        var last: [String] = []
        while let record = try reader.nextRecord() {
            count += 1
            if count == 200_000 { last = record.fields() }
        }
        #expect(count == 200_000)
        #expect(last == ["199999", "row 199999, with comma"])
    }
}
