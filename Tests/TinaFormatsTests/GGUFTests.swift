import Foundation
import Testing
import TinaCore
import TinaFormats

@Suite struct GGUFTests {
    @Test func readsMetadataOfEveryValueType() throws {
        let file = try GGUFFile(path: Paths.fixture("gguf/blocks.gguf"))
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        #expect(file.value("general.architecture") == .string("llama"))
        #expect(file.value("test.u8") == .uint8(200))
        #expect(file.value("test.i8") == .int8(-100))
        #expect(file.value("test.u16") == .uint16(60000))
        #expect(file.value("test.i16") == .int16(-30000))
        #expect(file.value("test.u32") == .uint32(4_000_000_000))
        #expect(file.value("test.i32") == .int32(-2_000_000_000))
        #expect(file.value("test.f32") == .float32(0.15625))
        #expect(file.value("test.u64") == .uint64(18_000_000_000_000_000_000))
        #expect(file.value("test.i64") == .int64(-9_000_000_000_000_000_000))
        #expect(file.value("test.f64") == .float64(-2.5e-300))
        #expect(file.value("test.bool") == .bool(true))
        #expect(file.value("test.string") == .string("héllo ✓"))
        #expect(file.value("test.array_i32")?.array?.compactMap(\.int) == [1, -2, 3])
        #expect(file.value("test.array_str")?.array?.compactMap(\.string) == ["a", "bc", ""])
        let nested = try #require(file.value("test.array_nested")?.array)
        #expect(nested.map { $0.array?.compactMap(\.int) ?? [] } == [[1, 2], [3]])
        #expect(file.tensors.count == 11)
    }

    /// Every tensor dequantizes exactly as gguf-py's numpy reference does (blocks.expected.json).
    @Test func dequantizationMatchesGGUFPy() throws {
        let file = try GGUFFile(path: Paths.fixture("gguf/blocks.gguf"))
        let expected = try readJSON(Paths.fixture("gguf/blocks.expected.json"))
        #expect(expected.count == file.tensors.count)
        for info in file.tensors {
            let entry = try #require(expected[info.name] as? [String: Any], "\(info.name)")
            #expect(entry["type"] as? String == info.type.name)
            #expect(entry["dims"] as? [Int] == info.dimensions)
            let reference = try #require(entry["values"] as? [Double])
            let values = try file.dequantized(info.name).toArray()
            #expect(values.count == reference.count)
            var worst = 0.0
            for (v, r) in zip(values, reference) { worst = max(worst, abs(Double(v) - r) / max(1, abs(r))) }
            // Both sides do the same f32 operations; allow one rounding step of difference.
            #expect(worst <= 1e-6, "\(info.name) (\(info.type.name)): max error \(worst)")
        }
    }

    @Test func unsupportedQuantizationIsAClearError() throws {
        // A Q2_K tensor can be parsed and sized but not dequantized.
        let bytes = GGUFBuilder(tensors: [("t", [256], 10, [UInt8](repeating: 0, count: 84))]).bytes
        try bytes.withUnsafeBytes { raw in
            let file = try GGUFFile(bytes: raw, source: "q2.gguf", owner: nil)
            let message = errorText { _ = try file.dequantized("t") }
            #expect(message.contains("Q2_K") && message.contains("not implemented"), "got: \(message)")
        }
    }

    @Test func rejectsCorruptHeaders() throws {
        let cases: [(String, (inout [UInt8]) -> Void)] = [
            ("magic", { $0[0] = 0 }),
            ("version 1", { $0[4] = 1 }),
            ("run past the data section", { $0.removeLast(40) }),
            ("tensor count", { $0.replaceSubrange(8..<16, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0]) }),
            ("metadata count", { $0.replaceSubrange(16..<24, with: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) }),
            ("truncated", { $0.removeLast($0.count - 12) }),
        ]
        for (expected, mutate) in cases {
            var bytes = GGUFBuilder(tensors: [("t", [32], 0, [UInt8](repeating: 0, count: 128))]).bytes
            mutate(&bytes)
            let message = bytes.withUnsafeBytes { raw in errorText { _ = try GGUFFile(bytes: raw, source: "bad.gguf", owner: nil) } }
            #expect(message.contains(expected), "got: \(message)")
        }
    }

    @Test func rejectsBadTensorInfos() {
        func message(_ builder: GGUFBuilder) -> String {
            builder.bytes.withUnsafeBytes { raw in errorText { _ = try GGUFFile(bytes: raw, source: "bad.gguf", owner: nil) } }
        }
        #expect(message(GGUFBuilder(tensors: [("t", [32], 99, [])])).contains("unknown ggml type 99"))
        #expect(message(GGUFBuilder(tensors: [("t", [20], 8, [UInt8](repeating: 0, count: 34))])).contains("Q8_0 blocks"))
        #expect(message(GGUFBuilder(tensors: [("t", [8], 0, [UInt8](repeating: 0, count: 32)), ("t", [8], 0, [UInt8](repeating: 0, count: 32))])).contains("appears twice"))
        #expect(message(GGUFBuilder(tensors: [("t", [8], 0, [UInt8](repeating: 0, count: 32))], offsets: [4])).contains("alignment"))
        #expect(message(GGUFBuilder(tensors: [("a", [16], 0, [UInt8](repeating: 0, count: 64)), ("b", [8], 0, [UInt8](repeating: 0, count: 32))], offsets: [0, 32])).contains("overlaps"))
        #expect(message(GGUFBuilder(tensors: [("t", [1, 1, 1, 1, 1], 0, [UInt8](repeating: 0, count: 32))])).contains("5 dimensions"))
        #expect(message(GGUFBuilder(tensors: [("t", [8], 0, [UInt8](repeating: 0, count: 32))], metadata: [("k", 13, [])])).contains("unknown value type 13"))
        #expect(message(GGUFBuilder(tensors: [], metadata: [("general.alignment", 4, [3, 0, 0, 0])])).contains("power of two"))
        #expect(message(GGUFBuilder(tensors: [], metadata: [("k", 7, [2])])).contains("not 0 or 1"))
        #expect(message(GGUFBuilder(tensors: [], metadata: [("k", 8, [0xFF, 0, 0, 0, 0, 0, 0, 0])])).contains("exceeds"))
    }

    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels))) func smolLM2LoadsAndDequantizesFully() throws {
        guard FileManager.default.fileExists(atPath: Paths.smolLM2) else {
            print("skipping SmolLM2 test: \(Paths.smolLM2) not found")
            return
        }
        let file = try GGUFFile(path: Paths.smolLM2)
        let samples = try readJSON(Paths.fixture("gguf/smollm2-samples.json"))
        let meta = try #require(samples["meta"] as? [String: Int])
        #expect(file.tensors.count == meta["tensor_count"])
        #expect(file.metadata.count == meta["kv_count"])
        #expect(file.value("tokenizer.ggml.tokens")?.array?.count == meta["tokens"])
        #expect(file.value("tokenizer.ggml.merges")?.array?.count == meta["merges"])
        var total = 0
        for info in file.tensors {
            let values = try file.dequantized(info.name)
            total += values.count
            let floats = UnsafeBufferPointer(start: values.floats, count: values.count)
            let finite = floats.allSatisfy { $0.isFinite }
            #expect(finite, "\(info.name) has non-finite values")
        }
        #expect(total == 134_515_008)
        let tensors = try #require(samples["tensors"] as? [String: [String: Any]])
        #expect(tensors.count == 6)
        for (name, sample) in tensors {
            let values = try file.dequantized(name)
            let indices = try #require(sample["indices"] as? [Int])
            let expected = try #require(sample["values"] as? [Double])
            for (i, e) in zip(indices, expected) {
                #expect(abs(Double(values.floats[i]) - e) <= 1e-6 * max(1, abs(e)), "\(name)[\(i)]")
            }
            let sum = UnsafeBufferPointer(start: values.floats, count: values.count).reduce(0.0) { $0 + Double($1) }
            let expectedSum = try #require(sample["sum"] as? Double)
            #expect(abs(sum - expectedSum) <= 1e-6 * max(1, abs(expectedSum)) + 1e-3, "\(name) sum")
        }
        let config = try DecoderConfig.from(gguf: file)
        #expect(config.family == .llama)
        #expect(config.layerCount == 30 && config.hiddenSize == 576 && config.intermediateSize == 1536)
        #expect(config.headCount == 9 && config.kvHeadCount == 3 && config.headDim == 64)
        #expect(config.vocabSize == 49152 && config.tieWordEmbeddings && !config.qkvBias)
        #expect(config.ropeTheta == 100_000 && config.rmsNormEps == 1e-5 && config.maxPositionEmbeddings == 8192)
        #expect(config.bosTokenId == 1 && config.eosTokenIds == [2])
        #expect(config.parameterCount == 134_515_008)
    }
}

/// Writes small GGUF v3 files in tests: metadata as (key, type, raw value bytes) and tensors as
/// (name, GGUF dimensions, ggml type, data bytes), laid out at 32-byte aligned offsets unless given.
struct GGUFBuilder {
    var tensors: [(String, [Int], UInt32, [UInt8])]
    var offsets: [Int]? = nil
    var metadata: [(String, UInt32, [UInt8])] = []

    var bytes: [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        u32(0x4655_4747); u32(3); u64(UInt64(tensors.count)); u64(UInt64(metadata.count))
        for (key, type, raw) in metadata { string(key); u32(type); out.append(contentsOf: raw) }
        var offset = 0
        var placed: [Int] = []
        for (i, (name, dims, type, data)) in tensors.enumerated() {
            string(name); u32(UInt32(dims.count))
            for d in dims { u64(UInt64(d)) }
            u32(type)
            let at = offsets?[i] ?? offset
            u64(UInt64(at)); placed.append(at)
            offset = (at + data.count + 31) / 32 * 32
        }
        while out.count % 32 != 0 { out.append(0) }
        let dataStart = out.count
        for (i, (_, _, _, data)) in tensors.enumerated() {
            let end = dataStart + placed[i] + data.count
            if out.count < end { out.append(contentsOf: [UInt8](repeating: 0, count: end - out.count)) }
            out.replaceSubrange((dataStart + placed[i])..<end, with: data)
        }
        while out.count % 32 != 0 { out.append(0) }
        return out
    }
}
