import Foundation
import TinaCore
import TinaFormats
@_exported import TinaTestSupport

/// Builds safetensors bytes from a raw header string and data bytes (for malformed-file tests).
func safetensorsBytes(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    var out: [UInt8] = []
    withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
    return out + h + data
}

func parseSafetensors(_ bytes: [UInt8]) throws -> SafetensorsHeader {
    try bytes.withUnsafeBytes { try SafetensorsHeader.parse($0, source: "test.safetensors") }
}
