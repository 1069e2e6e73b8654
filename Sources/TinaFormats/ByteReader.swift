import TinaCore

/// Bounds-checked little-endian reads from a byte buffer. Every read that would pass the end throws a
/// `malformed` error naming the source, the offset and what was being read; nothing reads out of bounds.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let source: String
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, source: String, offset: Int = 0) {
        self.bytes = bytes
        self.source = source
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func skip(_ count: Int, what: String) throws {
        try require(count, what: what)
        offset += count
    }

    func require(_ count: Int, what: String) throws {
        guard count >= 0, count <= remaining else {
            throw TinaError.malformed(source: source, reason: "truncated at byte \(offset) reading \(what) (\(count) bytes needed, \(max(remaining, 0)) left)")
        }
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, what: String) throws -> T {
        try require(MemoryLayout<T>.size, what: what)
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readFloat(what: String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, what: what))
    }

    mutating func readDouble(what: String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, what: what))
    }

    /// A count stored as u64 that must fit in Int and in what is left to read when each item needs
    /// at least `minItemBytes` bytes; this stops a corrupt count from triggering a huge allocation.
    mutating func readCount(what: String, minItemBytes: Int) throws -> Int {
        let raw = try read(UInt64.self, what: what)
        guard raw <= UInt64(Int.max / max(minItemBytes, 1)), Int(raw) * minItemBytes <= remaining else {
            throw TinaError.malformed(source: source, reason: "\(what) \(raw) at byte \(offset - 8) exceeds the \(remaining) bytes left")
        }
        return Int(raw)
    }

    /// A UTF-8 string prefixed by its u64 byte length.
    mutating func readString(what: String) throws -> String {
        let length = try readCount(what: "length of \(what)", minItemBytes: 1)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw TinaError.malformed(source: source, reason: "\(what) at byte \(offset) is not valid UTF-8")
        }
        offset += length
        return text
    }
}
