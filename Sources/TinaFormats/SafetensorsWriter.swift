import Foundation
import TinaCore

/// Writes safetensors files: tensors laid out in the order given, header JSON padded with spaces so the data
/// section starts 8-byte aligned, written atomically (temporary file + rename).
public enum SafetensorsWriter {
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws {
        var seen = Set<String>()
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            parts.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        for (name, tensor) in tensors {
            guard !name.isEmpty, name != "__metadata__", seen.insert(name).inserted else {
                throw TinaError.invalidArgument("safetensors tensor name '\(name)' is empty, reserved or repeated")
            }
            let end = offset + tensor.byteCount
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(parts.joined(separator: ","))}".utf8)
        while (8 + header.count) % 8 != 0 { header.append(UInt8(ascii: " ")) }
        let writer = try AtomicFileWriter(path: path)
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try writer.write($0) }
        try writer.write(header)
        for (_, tensor) in tensors where tensor.byteCount > 0 {
            try writer.write(UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.byteCount))
        }
        try writer.commit()
    }
}
