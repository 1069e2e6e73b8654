import Foundation
import TinaFormats
import TinaTokenizers

enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/Fixtures").path
    static let shared = ProcessInfo.processInfo.environment["TINA_SHARED_DIR"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared").path
    static let r1Tokenizer = shared + "/models/deepseek-r1-distill-qwen-1.5b"
    static let smolLM2 = shared + "/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"

    static func fixture(_ relative: String) -> String { fixtures + "/" + relative }
}

func readJSON(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}

/// The two real tokenizers, loaded once (nil when ../shared is absent).
enum Shared {
    static let r1: Tokenizer? = try? Tokenizer.load(path: Paths.r1Tokenizer)
    static let smolLM2: Tokenizer? = try? Tokenizer.load(path: Paths.smolLM2)

    static func tokenizer(_ name: String) -> Tokenizer? { name == "r1" ? r1 : smolLM2 }
}

/// 32-bit FNV-1a over the little-endian bytes of each id (as tools/reference/make_tokenizer_fixtures.py).
func fnv1a(_ ids: [Int]) -> UInt32 {
    var h: UInt32 = 0x811C_9DC5
    for id in ids {
        var v = UInt32(truncatingIfNeeded: id)
        for _ in 0..<4 {
            h ^= v & 0xFF
            h = h &* 0x0100_0193
            v >>= 8
        }
    }
    return h
}
