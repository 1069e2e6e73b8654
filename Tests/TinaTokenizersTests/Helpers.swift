import Foundation
import TinaFormats
import TinaTokenizers
@_exported import TinaTestSupport

/// The two real tokenizers, loaded once (nil when ../shared is absent).
enum Shared {
    static let r1: Tokenizer? = try? Tokenizer.load(path: Paths.r1Directory)
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
