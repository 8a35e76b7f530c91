/// One CSV record exactly as it stands in the file, ready for
/// `COPY … FROM STDIN WITH (FORMAT csv)`: quotes kept, ending in a single
/// `"\n"` (a CRLF line end, or a missing one at the end of the file, is
/// normalised). Newlines inside quoted fields are part of the record.
struct CSVRecord: Sendable {
    var bytes: ArraySlice<UInt8>
    /// 1-based line where the record starts.
    var line: Int

    /// The field values, quotes removed and doubled quotes undone; parsed on
    /// demand because loading a file only needs the bytes.
    func fields() -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var index = bytes.startIndex
        var end = bytes.endIndex
        if end > index && bytes[end - 1] == 0x0A { end -= 1 }
        while index < end {
            let c = bytes[index]
            if quoted {
                if c == 0x22 {
                    if index + 1 < end && bytes[index + 1] == 0x22 {
                        current.append(c)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == 0x22 {
                quoted = true
            } else if c == 0x2C {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(c)
            }
            index += 1
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}
