import Foundation
import Testing
import TinaCore
import TinaFormats

@Suite struct DecoderConfigTests {
    func decode(_ json: String) throws -> DecoderConfig {
        try DecoderConfig.decode(json: Data(json.utf8), source: "config.json")
    }

    @Test func r1DistillConfig() throws {
        // The published config of DeepSeek-R1-Distill-Qwen-1.5B (copied from ../shared so the test runs anywhere).
        let json = """
        {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
         "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 1536, "initializer_range": 0.02,
         "intermediate_size": 8960, "max_position_embeddings": 131072, "max_window_layers": 21,
         "model_type": "qwen2", "num_attention_heads": 12, "num_hidden_layers": 28, "num_key_value_heads": 2,
         "rms_norm_eps": 1e-06, "rope_theta": 10000, "sliding_window": 4096, "tie_word_embeddings": false,
         "torch_dtype": "bfloat16", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
        """
        let c = try decode(json)
        #expect(c.family == .qwen2)
        #expect(c.layerCount == 28 && c.hiddenSize == 1536 && c.intermediateSize == 8960)
        #expect(c.headCount == 12 && c.kvHeadCount == 2 && c.headDim == 128)
        #expect(c.vocabSize == 151_936 && !c.tieWordEmbeddings)
        #expect(c.qkvBias && !c.outputBias && !c.mlpBias)
        #expect(c.rmsNormEps == 1e-6 && c.ropeTheta == 10000 && c.ropeScaling == nil)
        #expect(c.bosTokenId == 151_643 && c.eosTokenIds == [151_643] && c.storedDType == "bfloat16")
        // 1,777,088,000 parameters (tina-digest.md section 1.1).
        #expect(c.parameterCount == 1_777_088_000)
        if FileManager.default.fileExists(atPath: Paths.r1Config) {
            #expect(try DecoderConfig.load(configPath: Paths.r1Config) == c)
        }
    }

    @Test func transformersDefaultsApply() throws {
        let llama = try decode(#"{"model_type": "llama"}"#)
        #expect(llama.vocabSize == 32000 && llama.hiddenSize == 4096 && llama.intermediateSize == 11008)
        #expect(llama.kvHeadCount == 32 && llama.headDim == 128 && llama.maxPositionEmbeddings == 2048)
        #expect(llama.bosTokenId == 1 && llama.eosTokenIds == [2] && !llama.qkvBias && !llama.tieWordEmbeddings)
        let qwen = try decode(#"{"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4}"#)
        #expect(qwen.vocabSize == 151_936 && qwen.kvHeadCount == 4 && qwen.headDim == 16 && qwen.qkvBias)
        #expect(qwen.maxPositionEmbeddings == 32768 && qwen.bosTokenId == nil)
    }

    @Test func llamaOptionsAndRopeForms() throws {
        let c = try decode("""
        {"model_type": "llama", "hidden_size": 96, "num_attention_heads": 6, "num_key_value_heads": 2,
         "head_dim": 20, "attention_bias": true, "mlp_bias": true, "eos_token_id": [128001, 128009],
         "rope_theta": 500000.0, "rope_scaling": {"type": "linear", "factor": 4.0}}
        """)
        #expect(c.headDim == 20 && c.qkvBias && c.outputBias && c.mlpBias)
        #expect(c.eosTokenIds == [128_001, 128_009])
        #expect(c.ropeTheta == 500_000 && c.ropeScaling == RopeScaling(kind: "linear", factor: 4))
        // transformers 5 writes rope_parameters with rope_type and rope_theta inside.
        let v5 = try decode(#"{"model_type": "qwen2", "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0}}"#)
        #expect(v5.ropeTheta == 1_000_000 && v5.ropeScaling == nil)
        let yarn = try decode(#"{"model_type": "qwen2", "rope_scaling": {"rope_type": "yarn", "factor": 4}}"#)
        #expect(yarn.ropeScaling?.kind == "yarn")
    }

    @Test(arguments: [
        (#"{"model_type": "gpt2"}"#, "model_type 'gpt2'"),
        (#"{"hidden_size": 4}"#, "missing field 'model_type'"),
        (#"{"model_type": "llama", "hidden_size": "big"}"#, "field 'hidden_size' must be an integer"),
        (#"{"model_type": "llama", "hidden_size": 64.5}"#, "field 'hidden_size' must be an integer"),
        (#"{"model_type": "llama", "tie_word_embeddings": 1}"#, "'tie_word_embeddings' must be true or false"),
        (#"{"model_type": "llama", "num_attention_heads": 6, "num_key_value_heads": 4}"#, "not a multiple"),
        (#"{"model_type": "llama", "num_hidden_layers": 0}"#, "num_hidden_layers must be positive"),
        (#"{"model_type": "llama", "hidden_act": "gelu"}"#, "hidden_act 'gelu'"),
        (#"{"model_type": "llama", "rope_scaling": 3}"#, "'rope_scaling' is not an object"),
        (#"{"model_type": "llama", "rope_scaling": {"type": "linear", "factor": "x"}}"#, "rope_scaling.factor"),
        (#"{"model_type": "llama", "eos_token_id": [1, "a"]}"#, "eos_token_id"),
        ("not json", "not a JSON object"),
    ])
    func badConfigsNameTheField(json: String, expected: String) {
        let message = errorText { _ = try decode(json) }
        #expect(message.contains(expected), "got: \(message)")
    }
}
