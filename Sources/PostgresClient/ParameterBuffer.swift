/// Text parameters for `executePrepared`, written into one reusable byte
/// buffer so that binding parameters on the hot path allocates nothing once
/// the buffer has grown to its working size.
///
/// Storage is raw memory rather than arrays: a profile of the select-only
/// workload showed the arrays' exclusivity checks and capacity checks costing
/// more instructions than formatting the digits (Benchmarks/profile-select.sh).
public final class ParameterBuffer {
    /// All mutable state, behind a pointer: a `let` pointer's pointee is reached
    /// without the runtime exclusivity checks that every access to a class's `var`
    /// properties costs (Benchmarks/profile-select.sh showed them on the hot path).
    private struct Storage {
        var bytes: UnsafeMutablePointer<CChar>
        var byteCapacity: Int
        var byteCount = 0
        /// Start of each parameter in `bytes`, or -1 for NULL.
        var offsets: UnsafeMutablePointer<Int>
        var pointers: UnsafeMutablePointer<UnsafePointer<CChar>?>
        var slotCapacity: Int
        var count = 0

        mutating func growSlots() {
            let capacity = slotCapacity * 2
            let newOffsets = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
            newOffsets.update(from: offsets, count: count)
            offsets.deallocate()
            offsets = newOffsets
            pointers.deallocate()
            pointers = .allocate(capacity: capacity)
            slotCapacity = capacity
        }

        mutating func growBytes(_ needed: Int) {
            var capacity = byteCapacity * 2
            while capacity < needed { capacity *= 2 }
            let newBytes = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
            newBytes.update(from: bytes, count: byteCount)
            bytes.deallocate()
            bytes = newBytes
            byteCapacity = capacity
        }

        /// Room for one more parameter of up to `length` bytes (with its terminating NUL).
        @inline(__always)
        mutating func reserve(_ length: Int) {
            if count == slotCapacity { growSlots() }
            if byteCount + length > byteCapacity { growBytes(byteCount + length) }
        }
    }

    private let storage: UnsafeMutablePointer<Storage>

    public init(capacity: Int = 8) {
        let slots = max(capacity, 1)
        storage = .allocate(capacity: 1)
        storage.initialize(
            to: Storage(
                bytes: .allocate(capacity: 256), byteCapacity: 256, offsets: .allocate(capacity: slots),
                pointers: .allocate(capacity: slots), slotCapacity: slots))
    }

    deinit {
        storage.pointee.bytes.deallocate()
        storage.pointee.offsets.deallocate()
        storage.pointee.pointers.deallocate()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    public var count: Int { storage.pointee.count }

    @inline(__always)
    public func removeAll() {
        storage.pointee.byteCount = 0
        storage.pointee.count = 0
    }

    public func append(_ value: Int64) {
        storage.pointee.reserve(21)  // "-9223372036854775808" and NUL
        let bytes = storage.pointee.bytes
        var position = storage.pointee.byteCount
        storage.pointee.offsets[storage.pointee.count] = position
        storage.pointee.count += 1
        var magnitude = value.magnitude
        if value < 0 {
            bytes[position] = 45
            position += 1
        }
        // Digits backwards into place: count them first.
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        var index = position + digits - 1
        repeat {
            bytes[index] = CChar(48 + Int(magnitude % 10))
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        bytes[position + digits] = 0
        storage.pointee.byteCount = position + digits + 1
    }

    public func append(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            storage.pointee.reserve(utf8.count + 1)
            let start = storage.pointee.bytes + storage.pointee.byteCount
            storage.pointee.offsets[storage.pointee.count] = storage.pointee.byteCount
            storage.pointee.count += 1
            if let base = utf8.baseAddress {
                UnsafeMutableRawPointer(start).copyMemory(from: base, byteCount: utf8.count)
            }
            start[utf8.count] = 0
            storage.pointee.byteCount += utf8.count + 1
        }
    }

    public func appendNull() {
        storage.pointee.reserve(0)
        storage.pointee.offsets[storage.pointee.count] = -1
        storage.pointee.count += 1
    }

    /// Calls `body` with libpq's `const char * const *paramValues` for the first
    /// `count` parameters (missing ones are NULL).
    @inline(__always)
    func withPointers<R>(count wanted: Int, _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        guard wanted > 0 else { return body(nil) }
        while storage.pointee.slotCapacity < wanted { storage.pointee.growSlots() }
        let s = storage.pointee
        for i in 0..<wanted {
            if i < s.count, s.offsets[i] >= 0 {
                s.pointers[i] = UnsafePointer(s.bytes + s.offsets[i])
            } else {
                s.pointers[i] = nil
            }
        }
        return body(UnsafePointer(s.pointers))
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
