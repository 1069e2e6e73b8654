import Foundation
import TinaCore
import TinaFormats

/// Paths of committed fixtures and of the shared model folder beside the repository.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/Fixtures").path
    /// `TINA_SHARED_DIR`, else `../shared` next to the repository.
    static let shared = ProcessInfo.processInfo.environment["TINA_SHARED_DIR"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared").path
    static let smolLM2 = shared + "/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let r1Config = shared + "/models/deepseek-r1-distill-qwen-1.5b/config.json"

    static func fixture(_ relative: String) -> String { fixtures + "/" + relative }
}

/// A fresh temporary directory, removed by the caller with `cleanup`.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "tina-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func readJSON(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

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

/// The error a throwing call raised, as text (empty when it did not throw).
func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}
