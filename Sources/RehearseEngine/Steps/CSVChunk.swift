/// Which records of a CSV file one COPY chunk holds.
struct CSVChunk: Sendable, Equatable {
    /// How many records the chunk holds.
    var records: Int
    /// The line where the chunk's first record starts.
    var firstLine: Int
    /// The line where the chunk's last record starts.
    var lastLine: Int
}

extension CSVReader {
    /// Replaces `bytes` with the raw bytes of up to `maxRecords` next records,
    /// ready to send as one `COPY … FROM STDIN WITH (FORMAT csv)`; nil, with
    /// `bytes` empty, at the end of the file. `bytes` keeps its capacity, so
    /// one buffer serves every chunk.
    mutating func nextChunk(maxRecords: Int, into bytes: inout [UInt8]) throws(CSVError) -> CSVChunk? {
        bytes.removeAll(keepingCapacity: true)
        var chunk: CSVChunk?
        while (chunk?.records ?? 0) < max(1, maxRecords), let record = try nextRecord() {
            bytes.append(contentsOf: record.bytes)
            if chunk == nil {
                chunk = CSVChunk(records: 1, firstLine: record.line, lastLine: record.line)
            } else {
                chunk!.records += 1
                chunk!.lastLine = record.line
            }
        }
        return chunk
    }
}
