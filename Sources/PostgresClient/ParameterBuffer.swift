/// Text parameters for `executePrepared`, written into one reusable byte
/// buffer so that binding parameters on the hot path allocates nothing once
/// the buffer has grown to its working size.
public final class ParameterBuffer {
    private var bytes: [CChar] = []
    private var offsets: [Int] = []
    private var isNull: [Bool] = []
    private var pointers: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private var pointerCapacity: Int

    public init(capacity: Int = 8) {
        pointerCapacity = max(capacity, 1)
        pointers = .allocate(capacity: pointerCapacity)
        bytes.reserveCapacity(256)
        offsets.reserveCapacity(pointerCapacity)
        isNull.reserveCapacity(pointerCapacity)
    }

    deinit { pointers.deallocate() }

    public var count: Int { offsets.count }

    public func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        isNull.removeAll(keepingCapacity: true)
    }

    public func append(_ value: Int64) {
        offsets.append(bytes.count)
        isNull.append(false)
        if value == 0 {
            bytes.append(48)
        } else {
            var magnitude = value.magnitude
            if value < 0 { bytes.append(45) }
            let start = bytes.count
            while magnitude > 0 {
                bytes.append(CChar(48 + Int(magnitude % 10)))
                magnitude /= 10
            }
            bytes[start...].reverse()
        }
        bytes.append(0)
    }

    public func append(_ value: String) {
        offsets.append(bytes.count)
        isNull.append(false)
        for byte in value.utf8 { bytes.append(CChar(bitPattern: byte)) }
        bytes.append(0)
    }

    public func appendNull() {
        offsets.append(bytes.count)
        isNull.append(true)
    }

    /// Calls `body` with libpq's `const char * const *paramValues` for the first
    /// `count` parameters (missing ones are NULL).
    func withPointers<R>(count: Int, _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        guard count > 0 else { return body(nil) }
        if count > pointerCapacity {
            pointers.deallocate()
            pointerCapacity = count
            pointers = .allocate(capacity: count)
        }
        return bytes.withUnsafeBufferPointer { base in
            for i in 0..<count {
                if i < offsets.count, !isNull[i], let start = base.baseAddress {
                    pointers[i] = start + offsets[i]
                } else {
                    pointers[i] = nil
                }
            }
            return body(UnsafePointer(pointers))
        }
    }

    /// Builds a buffer from optional strings for a single call.
    /// A NULL-terminated array, as libpq's keyword/value arrays and `paramValues` want.
    static func withCStrings<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let buffer = ParameterBuffer(capacity: values.count + 1)
        for value in values {
            if let value { buffer.append(value) } else { buffer.appendNull() }
        }
        buffer.appendNull()
        return buffer.withPointers(count: values.count + 1, body)
    }
}
