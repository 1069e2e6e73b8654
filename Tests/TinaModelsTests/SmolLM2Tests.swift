import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaGeneration
import TinaModels
import TinaTokenizers

/// Real weights: SmolLM2-135M-Instruct (GGUF, Q4_1 with Q8_0 embeddings) against transformers, which
/// dequantizes the same file with gguf-py on load. Tina dequantizes to f32 with identical values, so the
/// only differences left are f32 summation order: log-probs agree to 1e-4 (measured 1.3e-5) and top-1 tokens exactly.
@Suite struct SmolLM2Tests {
    static let logProbTolerance: Float = 1e-4

    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels))) func topTokensAndGreedyContinuationMatchTransformers() throws {
        guard FileManager.default.fileExists(atPath: Paths.smolLM2) else {
            print("skipping SmolLM2 parity: \(Paths.smolLM2) not found")
            return
        }
        let model = try DecoderModel.load(path: Paths.smolLM2)
        #expect(model.weights.embedding.dtype == .f32)
        let fixture = try readJSON(Paths.fixture("decoder/smollm2.json"))
        let cases = try #require(fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 4)
        var worst: Float = 0
        defer { print("SmolLM2: max |log-prob difference| vs transformers over the top-5 fixtures: \(worst)") }
        for (index, item) in cases.enumerated() {
            let ids = try #require(item["ids"] as? [Int])
            let cache = model.makeCache()
            let hidden = try model.forward([SequenceChunk(sequence: cache.newSequence(), tokens: ids)], cache: cache)
            for top in try #require(item["top"] as? [[String: Any]]) {
                let position = try #require(top["position"] as? Int)
                let expectedIDs = try #require(top["ids"] as? [Int])
                let expectedLogProbs = try #require(top["logprobs"] as? [Double]).map(Float.init)
                let (logProbs, _) = try model.tokenLogProbs(hidden, rows: Array(repeating: position, count: 5), targets: expectedIDs)
                worst = max(worst, maxScaledError(logProbs, expectedLogProbs))
                #expect(maxScaledError(logProbs, expectedLogProbs) <= Self.logProbTolerance, "case \(index) position \(position)")
                let logits = try model.logits(hidden, rows: [position])
                #expect(Sampler.argmax(logits.floats, count: model.config.vocabSize) == expectedIDs[0], "case \(index) position \(position)")
            }
            if index < 2 {
                let greedy = try #require(item["greedy"] as? [Int])
                let generated = try Generator(model: model, sampler: .greedy, stopTokens: [])
                    .generate(prompt: ids, maxNewTokens: greedy.count)
                #expect(generated == greedy, "case \(index): \(item["greedy_text"] ?? "")")
            }
        }
    }

    /// End to end as `tina generate` runs it: the GGUF's own tokenizer and chat template give transformers'
    /// prompt ids, and greedy decoding gives transformers' text.
    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels))) func chatTemplatePromptAndGreedyTextMatchTransformers() throws {
        guard FileManager.default.fileExists(atPath: Paths.smolLM2) else {
            print("skipping SmolLM2 end-to-end: \(Paths.smolLM2) not found")
            return
        }
        let tokenizer = try Tokenizer.load(path: Paths.smolLM2)
        let template = try ChatTemplate(try #require(tokenizer.chatTemplate))
        let model = try DecoderModel.load(path: Paths.smolLM2)
        let fixture = try readJSON(Paths.fixture("decoder/smollm2.json"))
        for item in try #require(fixture["cases"] as? [[String: Any]]).prefix(3) {
            let prompt = try #require(item["prompt"] as? String)
            let text = try template.render(messages: [("user", prompt)], addGenerationPrompt: true,
                                           bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
            #expect(text == item["text"] as? String)
            let ids = tokenizer.encode(text, addSpecialTokens: false)
            #expect(ids == item["ids"] as? [Int])
            let greedy = try #require(item["greedy"] as? [Int])
            let generated = try Generator(model: model, sampler: .greedy, stopTokens: [])
                .generate(prompt: ids, maxNewTokens: greedy.count)
            #expect(tokenizer.decode(generated) == item["greedy_text"] as? String, "\(prompt)")
        }
    }
}
