import Foundation
import PostgresClient
import RehearseScenario
import Synchronization

/// What every stream of one table's seed shares: the file's header, its split into
/// ranges, the `missing_seed` filters and where each range's data rows are numbered from.
struct SeedPlan: Sendable {
    var table: SeedSpec.Table
    var header: [String]
    /// `COPY t (columns) FROM STDIN WITH (FORMAT csv)`.
    var copy: String
    /// The same in binary format, for chunks `binary` encodes; nil encoder when some
    /// column's type is not one it converts, and every chunk goes as CSV.
    var binaryCopy: String
    var binary: BinaryCopyEncoder?
    /// Connections that load the table at the same time.
    var streams: Int
    /// The index of each range's first data row; nil when unknown (several streams and no
    /// fraction to draw, which alone needs the rows counted before loading).
    var firstRows: [Int]?
    var filters: [MissingSeedFilter]
    var skip: Bool
    var chunkRows: Int
    var memoryLimit: Int64?
    /// Set when one stream fails (the others stop after their chunk) or the step is
    /// cancelled (abandoned: they stop at once).
    let stop = StopSignal()
    /// The file's data in ranges, in file order: several per stream, which streams take
    /// as they finish one, so a stream slowed by its part of the table (keys in the middle
    /// of an index) does not leave the others idle at the end.
    let ranges: RangeSource

    /// Auto streams get at least this much of the file each: below it a connection
    /// costs more than it saves.
    static let autoBytesPerStream: Int64 = 4 << 20
    /// Ranges per stream, and the smallest range worth a COPY of its own.
    static let rangesPerStream = 8
    static let minimumRangeBytes: Int64 = 64 << 10

    /// Reads the header, decides the streams and splits the file; runs on a session's
    /// thread (the self-reference check is a query).
    static func make(
        _ table: SeedSpec.Table, spec: SeedSpec, faults: [MissingSeedFault], memoryLimit: Int64?, session: Session
    ) throws -> SeedPlan {
        let reader = try CSVReader(url: table.csv)
        let header = reader.header
        let dataStart = reader.offset
        let size = (try? FileManager.default.attributesOfItem(atPath: table.csv.path)[.size] as? Int64) ?? nil
        let dataBytes = max(0, (size ?? 0) - dataStart)
        var parts = streams(table.streams, dataBytes: dataBytes)
        // Rows of a table that references itself may point at rows of another stream,
        // loaded or not depending on timing: one stream keeps the outcome the data's.
        if parts > 1, try referencesItself(table.table, session: session) { parts = 1 }
        let pieces = parts == 1 ? 1 : max(parts, min(parts * rangesPerStream, Int(dataBytes / minimumRangeBytes)))
        let fraction = faults.contains { if case .fraction = $0.selection { true } else { false } }
        let source: RangeSource
        var streamCount = parts
        var firstRows: [Int]?
        var rowCount = 0
        if parts > 1 && !fraction && dataBytes >= Int64(parts) * autoBytesPerStream {
            // A large file is split as its streams go (see `CSVSplitter`); its rows are
            // named by their lines, as the numbers of a range's rows are not known yet.
            source = RangeSource(splitting: try CSVSplitter(url: table.csv, dataStart: dataStart, line: reader.line, parts: pieces))
        } else {
            let ranges = try CSVSplit.ranges(url: table.csv, dataStart: dataStart, line: reader.line, parts: pieces)
            firstRows = ranges.count <= 1 ? [0] : nil
            if fraction {
                // A fraction of the rows needs their number: a first pass counts them, by range.
                var starts: [Int] = []
                for range in ranges {
                    starts.append(rowCount)
                    var counter = try CSVReader(url: table.csv, header: header, range: range)
                    while try counter.nextRecord() != nil { rowCount += 1 }
                }
                firstRows = starts.isEmpty ? [0] : starts
            }
            source = RangeSource(ranges)
            streamCount = max(1, min(parts, ranges.count))
        }
        let filters = try faults.map { fault throws(SeedError) in
            try MissingSeedFilter(fault: fault, header: header, rowCount: rowCount)
        }
        return try SeedPlan(
            table: table, header: header, streams: streamCount, ranges: source, firstRows: firstRows, filters: filters,
            spec: spec, memoryLimit: memoryLimit, session: session)
    }

    private init(
        table: SeedSpec.Table, header: [String], streams: Int, ranges: RangeSource, firstRows: [Int]?,
        filters: [MissingSeedFilter], spec: SeedSpec, memoryLimit: Int64?, session: Session
    ) throws(PostgresError) {
        let columns = header.map(quoteIdentifier).joined(separator: ", ")
        self.table = table
        self.header = header
        copy = "COPY \(table.table) (\(columns)) FROM STDIN WITH (FORMAT csv)"
        binaryCopy = "COPY \(table.table) (\(columns)) FROM STDIN WITH (FORMAT binary)"
        binary = try Self.binaryEncoder(table.table, header: header, session: session)
        self.streams = streams
        self.ranges = ranges
        self.firstRows = firstRows
        self.filters = filters
        skip = spec.onMissingReference == .skip
        chunkRows = spec.chunkRows
        self.memoryLimit = memoryLimit
    }

    /// The streams asked for: `auto` is the local cores, at most 4, and no more than one
    /// per `autoBytesPerStream` of data. The server's cores cannot be read over SQL;
    /// the embedded server shares this machine's.
    static func streams(_ streams: SeedStreams, dataBytes: Int64) -> Int {
        switch streams {
        case .count(let n): return max(1, n)
        case .auto:
            let cores = ProcessInfo.processInfo.activeProcessorCount
            return max(1, min(cores, 4, Int(dataBytes / autoBytesPerStream)))
        }
    }

    /// The streams a table will likely get, before its file is read: for sharing a step's
    /// connections between tables.
    static func expectedStreams(_ table: SeedSpec.Table) -> Int {
        let size = (try? FileManager.default.attributesOfItem(atPath: table.csv.path)[.size] as? Int64) ?? nil
        return streams(table.streams, dataBytes: size ?? .max)
    }

    static func referencesItself(_ table: String, session: Session) throws(PostgresError) -> Bool {
        let found = try session.query(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = to_regclass($1) AND confrelid = conrelid",
            [table])
        return found.scalar != "0"
    }
}

/// Hands out the ranges of one table to its streams, each once, in file order, with
/// its index: from a list made beforehand, or from a splitter that finds each as it is
/// asked for (under a lock, while the other streams load).
final class RangeSource: Sendable {
    private struct State {
        var made: [CSVRange] = []
        var splitter: CSVSplitter?
        var next = 0
    }

    private let state: Mutex<State>

    init(_ ranges: [CSVRange]) { state = Mutex(State(made: ranges)) }

    init(splitting splitter: CSVSplitter) { state = Mutex(State(splitter: splitter)) }

    /// The next range and its index, or nil when all are taken.
    func next() throws(CSVError) -> (index: Int, range: CSVRange)? {
        try state.withLock { state throws(CSVError) -> (index: Int, range: CSVRange)? in
            let index = state.next
            var range: CSVRange?
            if var splitter = state.splitter {
                state.splitter = nil  // the only copy while it reads: its buffer is not copied
                defer { state.splitter = splitter }
                range = try splitter.next()
            } else if index < state.made.count {
                range = state.made[index]
            }
            guard let range else { return nil }
            state.next += 1
            return (index, range)
        }
    }
}
