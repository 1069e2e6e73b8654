import Foundation
import TinaCore

/// One tensor entry of a safetensors header. `dataRange` is relative to the start of the data section.
public struct SafetensorsEntry: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    public let dataRange: Range<Int>
}

/// The parsed header of a safetensors file (https://github.com/huggingface/safetensors, "Format"):
/// u64 little-endian header length N, N bytes of JSON, then the tensor bytes. Validation follows the
/// reference implementation: every entry's byte count matches dtype x shape, and the entries tile the data
/// section exactly (no gaps, no overlaps, nothing past the end).
public struct SafetensorsHeader: Sendable {
    /// Entries in data order.
    public let entries: [SafetensorsEntry]
    public let metadata: [String: String]
    /// Absolute offset of the data section (8 + N).
    public let dataStart: Int

    /// Headers larger than this are refused (the reference library uses the same 100 MB bound).
    public static let maxHeaderBytes = 100_000_000

    public static func parse(_ bytes: UnsafeRawBufferPointer, source: String) throws -> SafetensorsHeader {
        var reader = ByteReader(bytes, source: source)
        let rawLength = try reader.read(UInt64.self, what: "header length")
        guard rawLength <= UInt64(maxHeaderBytes) else {
            throw TinaError.malformed(source: source, reason: "header length \(rawLength) exceeds the \(maxHeaderBytes)-byte limit")
        }
        let headerLength = Int(rawLength)
        guard headerLength <= reader.remaining else {
            throw TinaError.malformed(source: source, reason: "header length \(headerLength) goes beyond the end of the file (\(bytes.count) bytes)")
        }
        guard headerLength >= 2, bytes[8] == UInt8(ascii: "{") else {
            throw TinaError.malformed(source: source, reason: "header is not a JSON object")
        }
        let json = Data(bytes[8..<(8 + headerLength)])
        guard String(data: json, encoding: .utf8) != nil else {
            throw TinaError.malformed(source: source, reason: "header is not valid UTF-8")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: json) } catch {
            throw TinaError.malformed(source: source, reason: "header is not valid JSON (\(error.localizedDescription))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw TinaError.malformed(source: source, reason: "header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in dictionary {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw TinaError.malformed(source: source, reason: "__metadata__ is not an object")
                }
                for (key, item) in map {
                    guard let text = item as? String else {
                        throw TinaError.malformed(source: source, reason: "__metadata__.\(key) is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try parseEntry(name: name, value: value, source: source))
        }
        entries.sort { ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound) }
        var expectedStart = 0
        for entry in entries {
            guard entry.dataRange.lowerBound == expectedStart else {
                let problem = entry.dataRange.lowerBound < expectedStart ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
                throw TinaError.malformed(source: source, reason: "tensor '\(entry.name)' data_offsets \(entry.dataRange) \(problem) (expected start \(expectedStart))")
            }
            expectedStart = entry.dataRange.upperBound
        }
        guard expectedStart == dataLength else {
            throw TinaError.malformed(source: source, reason: "tensors cover \(expectedStart) data bytes but the file holds \(dataLength) after the header")
        }
        return SafetensorsHeader(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    private static func parseEntry(name: String, value: Any, source: String) throws -> SafetensorsEntry {
        let field = "tensor '\(name)'"
        guard let info = value as? [String: Any] else {
            throw TinaError.malformed(source: source, reason: "\(field) is not an object")
        }
        guard let dtypeName = info["dtype"] as? String else {
            throw TinaError.malformed(source: source, reason: "\(field) has no string dtype")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw TinaError.unsupported(source: source, reason: "\(field) has unknown dtype '\(dtypeName)'")
        }
        guard let shapeValues = info["shape"] as? [Any] else {
            throw TinaError.malformed(source: source, reason: "\(field) has no shape array")
        }
        let shape = try shapeValues.map { item -> Int in
            guard let dim = jsonInt(item), dim >= 0 else {
                throw TinaError.malformed(source: source, reason: "\(field) shape \(shapeValues) has a non-integer or negative dimension")
            }
            return dim
        }
        guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
              let begin = jsonInt(offsets[0]), let end = jsonInt(offsets[1]), begin >= 0, begin <= end else {
            throw TinaError.malformed(source: source, reason: "\(field) data_offsets must be [begin, end] with 0 <= begin <= end")
        }
        guard let count = elementCount(shape), count.multipliedReportingOverflow(by: dtype.byteSize).overflow == false,
              count * dtype.byteSize == end - begin else {
            throw TinaError.malformed(source: source, reason: "\(field) holds \(end - begin) bytes but shape \(shape) of \(dtypeName) needs \((elementCount(shape) ?? -1) * dtype.byteSize)")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }
}

/// An integer from JSONSerialization output, refusing fractions, booleans and out-of-range values.
func jsonInt(_ value: Any) -> Int? {
    // JSON booleans also arrive as NSNumber; their Objective-C type code is "c".
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
    let double = number.doubleValue
    guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
    return number.intValue
}

/// A memory-mapped safetensors file. Tensors are views into the mapping (copied only when misaligned).
public final class SafetensorsFile: @unchecked Sendable {
    public let path: String
    public let header: SafetensorsHeader
    private let file: MappedFile
    private let index: [String: Int]

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        header = try SafetensorsHeader.parse(file.bytes, source: path)
        var index: [String: Int] = [:]
        for (i, entry) in header.entries.enumerated() { index[entry.name] = i }
        self.index = index
    }

    public var entries: [SafetensorsEntry] { header.entries }
    public var metadata: [String: String] { header.metadata }
    public var tensorNames: [String] { header.entries.map(\.name) }

    public func entry(_ name: String) -> SafetensorsEntry? {
        index[name].map { header.entries[$0] }
    }

    /// The named tensor in its stored dtype. Zero-copy when the data is aligned for its dtype.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entry(name) else {
            throw TinaError.missing(source: path, what: "tensor '\(name)'")
        }
        guard entry.dataRange.count > 0, let base = file.base else {
            return try Tensor(zeros: entry.shape, dtype: entry.dtype)
        }
        let start = header.dataStart + entry.dataRange.lowerBound
        let pointer = base + start
        if Int(bitPattern: pointer) % entry.dtype.byteSize == 0 {
            let storage = TensorStorage(borrowing: pointer, byteCount: entry.dataRange.count, owner: file)
            return try Tensor(storage: storage, dtype: entry.dtype, shape: entry.shape)
        }
        let copy = try Tensor(zeros: entry.shape, dtype: entry.dtype)
        copy.rawPointer.copyMemory(from: pointer, byteCount: entry.dataRange.count)
        return copy
    }
}
