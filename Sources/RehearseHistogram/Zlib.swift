import CZlib

/// zlib's deflate and inflate (the zlib wrapper, RFC 1950), as HdrHistogram's compressed
/// encoding uses them: Java's `Deflater`, C's `hdr_log`, Python's `zlib.compress`.
enum Zlib {
    /// `bytes` deflated at zlib's default level. compress2 fails only for a buffer too
    /// small (compressBound sized it) or out of memory, so a failure is a broken invariant.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &length, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "compress2 failed (status \(status)) with a buffer of compressBound bytes")
        return Array(output.prefix(Int(length)))
    }

    /// The inflated stream, or nil if it is not one whole zlib stream or inflates past
    /// `limit` bytes: the input is untrusted, and a few kilobytes can claim gigabytes.
    static func inflate(_ bytes: ArraySlice<UInt8>, limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = Array(bytes)
        let finished = input.withUnsafeMutableBufferPointer { source -> Bool in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                guard status == Z_OK || status == Z_STREAM_END, output.count + produced <= limit else { return false }
                output.append(contentsOf: chunk.prefix(produced))
                if status == Z_STREAM_END { return true }
                // Z_OK with no progress: the input ended before the stream did.
                if produced == 0 && stream.avail_in == 0 { return false }
            }
        }
        return finished ? output : nil
    }
}
