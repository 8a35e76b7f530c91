import PostgresClient

extension Session {
    /// Sends a pg_dump-style `COPY … FROM stdin` statement with the data block that followed
    /// it in the script (the lines up to `\.`), as psql does: the data ends with a newline.
    /// The one way `sql` and `migrate` steps send such blocks.
    @discardableResult
    func copyBlock(_ statement: String, data: String) throws -> QueryResult {
        try copyIn(statement) { writer in
            var bytes = Array(data.utf8)
            if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            try writer.write(bytes)
        }
    }
}
