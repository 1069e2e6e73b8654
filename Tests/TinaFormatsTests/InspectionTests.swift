import Foundation
import Testing
import TinaCore
import TinaFormats

@Suite struct InspectionTests {
    @Test func modelDirectory() throws {
        let s = try ModelInspection.inspect(path: Paths.fixture("tiny-qwen2"))
        #expect(s.format == "hf-directory" && s.architecture == "qwen2")
        let config = try #require(s.config)
        #expect(s.parameterCount == config.parameterCount)
        #expect(s.tensorCount == 27 && s.dtypes.map(\.dtype) == ["BF16"])
        #expect(s.hasChatTemplate && !s.hasTokenizer)
        #expect(s.groups.contains { $0.pattern == "model.layers.*.mlp.up_proj.weight" && $0.count == 2 && $0.shape == [64, 32] })
        #expect(s.metadata["format"] == "pt")
    }

    @Test func shardedDirectoryAndSingleFile() throws {
        let s = try ModelInspection.inspect(path: Paths.fixture("tiny-llama-sharded"))
        #expect(s.files.count == 2 && s.config?.tieWordEmbeddings == true)
        #expect(s.parameterCount == s.config?.parameterCount)
        let single = try ModelInspection.inspect(path: Paths.fixture("tiny-llama-sharded/model-00002-of-00002.safetensors"))
        #expect(single.format == "safetensors" && single.tensorCount < s.tensorCount)
    }

    @Test func ggufFile() throws {
        let s = try ModelInspection.inspect(path: Paths.fixture("gguf/blocks.gguf"))
        #expect(s.format == "gguf" && s.tensorCount == 11 && s.parameterCount == 11 * 512)
        #expect(s.config == nil && s.configProblem?.contains("llama.embedding_length") == true)
    }

    @Test func notAModel() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "hello world, not a model".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(errorText { _ = try ModelInspection.inspect(path: dir + "/notes.txt") }.contains("neither a GGUF file nor a safetensors file"))
        #expect(errorText { _ = try ModelInspection.inspect(path: dir + "/absent") }.contains("no such file"))
        #expect(errorText { _ = try ModelInspection.inspect(path: dir) }.contains("missing"))
    }

    @Test func layerPatterns() {
        #expect(ModelInspection.layerPattern("model.layers.12.mlp.up_proj.weight") == "model.layers.*.mlp.up_proj.weight")
        #expect(ModelInspection.layerPattern("blk.3.attn_q.weight") == "blk.*.attn_q.weight")
        #expect(ModelInspection.layerPattern("lm_head.weight") == "lm_head.weight")
    }
}
