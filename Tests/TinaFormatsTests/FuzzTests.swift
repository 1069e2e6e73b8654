import Foundation
import Testing
import TinaCore
import TinaFormats

/// Mutates valid files thousands of times and parses each result, reading every tensor that a successful
/// parse reports. A crash or an out-of-bounds read fails the whole run; every mutation must either parse
/// or throw a TinaError.
@Suite struct FuzzTests {
    static let iterations = 3000

    /// One random corruption: byte flips, a truncation, an inserted run, or a random u64 written over a field.
    static func mutate(_ original: [UInt8], _ rng: inout Philox) -> [UInt8] {
        var bytes = original
        switch rng.next32() % 5 {
        case 0:
            for _ in 0..<(1 + Int(rng.next32() % 8)) {
                bytes[Int(rng.next32()) % bytes.count] = UInt8(truncatingIfNeeded: rng.next32())
            }
        case 1:
            bytes.removeLast(Int(rng.next32()) % bytes.count)
        case 2:
            let at = Int(rng.next32()) % bytes.count
            bytes.insert(contentsOf: (0..<(1 + Int(rng.next32() % 16))).map { _ in UInt8(truncatingIfNeeded: rng.next32()) }, at: at)
        case 3:
            let at = Int(rng.next32()) % max(1, bytes.count - 8)
            var value = rng.next()
            if rng.next32() % 2 == 0 { value %= 1 << 20 }
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(at..<(at + 8), with: $0) }
        default:
            // Flip bits inside the header region, where the structure lives.
            for _ in 0..<(1 + Int(rng.next32() % 4)) {
                let at = Int(rng.next32()) % min(bytes.count, 512)
                bytes[at] ^= UInt8(1 << (rng.next32() % 8))
            }
        }
        return bytes
    }

    @Test func safetensorsNeverCrash() throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("tiny-llama-sharded/model-00002-of-00002.safetensors"))))
        var rng = Philox(seed: 2024)
        var accepted = 0, rejected = 0
        for _ in 0..<Self.iterations {
            let bytes = Self.mutate(original, &rng)
            do {
                let header = try parseSafetensors(bytes)
                // Every accepted entry lies inside the buffer.
                for entry in header.entries {
                    #expect(header.dataStart + entry.dataRange.upperBound <= bytes.count)
                }
                accepted += 1
            } catch is TinaError {
                rejected += 1
            }
        }
        #expect(accepted + rejected == Self.iterations)
        #expect(accepted > 0 && rejected > 0, "mutations should produce both valid and invalid files")
    }

    @Test func ggufNeverCrashes() throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("gguf/blocks.gguf"))))
        var rng = Philox(seed: 99)
        var accepted = 0, rejected = 0
        for _ in 0..<Self.iterations {
            let bytes = Self.mutate(original, &rng)
            do {
                try bytes.withUnsafeBytes { raw in
                    let file = try GGUFFile(bytes: raw, source: "fuzz.gguf", owner: nil)
                    for info in file.tensors where info.type.canDequantize {
                        _ = try file.dequantized(info.name)
                    }
                    _ = try? DecoderConfig.from(gguf: file)
                }
                accepted += 1
            } catch is TinaError {
                rejected += 1
            }
        }
        #expect(accepted + rejected == Self.iterations)
        #expect(accepted > 0 && rejected > 0, "mutations should produce both valid and invalid files")
    }

    @Test func configJSONNeverCrashes() throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("tiny-llama-sharded/config.json"))))
        var rng = Philox(seed: 5)
        var outcomes = 0
        for _ in 0..<Self.iterations {
            let bytes = Self.mutate(original, &rng)
            do { _ = try DecoderConfig.decode(json: Data(bytes), source: "fuzz.json") } catch is TinaError {}
            outcomes += 1
        }
        #expect(outcomes == Self.iterations)
    }
}
