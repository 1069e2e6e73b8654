import Foundation
import Testing
import TinaCore
import TinaDemo
import TinaFormats
import TinaMath
import TinaModels
import TinaTestSupport
import TinaTokenizers

/// The committed demo base (demo/base): its tokenizer, chat template and config are what demo/README.md says.
@Suite struct ShippedBaseTests {
    static let base = Paths.repository.appendingPathComponent("demo/base").path

    @Test func tokenizerRoundTripsTaskText() throws {
        let tok = try Tokenizer.load(path: Self.base)
        #expect(tok.bosToken == "<｜begin▁of▁sentence｜>" && tok.bosTokenID == 0)
        #expect(tok.eosToken == "<｜end▁of▁sentence｜>" && tok.eosTokenID == 1)
        #expect(tok.id(of: "<｜User｜>") == 2 && tok.id(of: "<｜Assistant｜>") == 3)
        let problems = try ArithmeticTaskGenerator(seed: 5).problems(split: .train, count: 200)
            + ArithmeticTaskGenerator(seed: 5).problems(split: .harder, count: 100)
        let traces = Teacher(noise: try TeacherNoise(total: 0.5), seed: 5).traces(for: problems)
        for trace in traces {
            for text in [trace.problem.prompt, trace.completion] {
                let ids = tok.encode(text, addSpecialTokens: false)
                #expect(tok.decode(ids) == text)
                // Tina's rewards see the completion decoded without special tokens: the think tags must stay.
                #expect(tok.decode(ids, skipSpecialTokens: true) == text)
                #expect(ids.allSatisfy { $0 < 320 })
            }
        }
        // Digits are single tokens (the Qwen2 split), so every number is spelled digit by digit.
        #expect(tok.encode("226", addSpecialTokens: false).count == 3)
        for other in ["Ünïcode ✓ 中文 🙂\t\r\n", "anything at all, {}[]$"] {
            #expect(tok.decode(tok.encode(other, addSpecialTokens: false)) == other)
        }
        #expect(tok.vocabularySize <= 320)
    }

    @Test func chatTemplateEndsWithTheAssistantTurn() throws {
        let tok = try Tokenizer.load(path: Self.base)
        let template = try ChatTemplate(try #require(tok.chatTemplate))
        let prompt = try template.render(messages: [("user", "Compute 2 + 3 * 4.")], addGenerationPrompt: true,
                                         bosToken: tok.bosToken, eosToken: tok.eosToken)
        #expect(prompt == "<｜begin▁of▁sentence｜><｜User｜>Compute 2 + 3 * 4.<｜Assistant｜>")
        // The same text as Tina's training template built into tina.
        let early = try #require(try ChatTemplate.named("deepseek-r1-early"))
        #expect(try early.render(messages: [("user", "Compute 2 + 3 * 4.")], addGenerationPrompt: true,
                                 bosToken: tok.bosToken, eosToken: tok.eosToken) == prompt)
        #expect(tok.encode(prompt, addSpecialTokens: false).count <= 40)
    }

    @Test func baseLoadsWithTheDocumentedConfig() throws {
        let model = try DecoderModel.load(path: Self.base)
        let c = model.config
        #expect(c.family == .qwen2)
        #expect(c.layerCount == 4 && c.hiddenSize == 192 && c.intermediateSize == 512)
        #expect(c.headCount == 6 && c.kvHeadCount == 2 && c.headDim == 32)
        #expect(c.qkvBias && c.tieWordEmbeddings && c.vocabSize == 320 && c.maxPositionEmbeddings == 256)
        #expect(c.parameterCount == 1_637_312)
        #expect(c.bosTokenId == 0 && c.eosTokenIds == [1])
        let generation = try readJSON(Self.base + "/generation_config.json")
        #expect(generation["eos_token_id"] as? Int == 1)
    }

    /// The base writes the format greedily: the think block, the closing tag once, a boxed integer.
    @Test func baseIsFluentInTheFormat() throws {
        let model = try DecoderModel.load(path: Self.base)
        let tok = try Tokenizer.load(path: Self.base)
        let template = try ChatTemplate(try #require(tok.chatTemplate))
        let eos = try #require(tok.eosTokenID)
        for problem in try ArithmeticTaskGenerator(seed: 9).problems(split: .heldOut, count: 5, unique: true) {
            let prompt = try template.render(messages: [("user", problem.prompt)], addGenerationPrompt: true,
                                             bosToken: tok.bosToken, eosToken: tok.eosToken)
            var ids = tok.encode(prompt, addSpecialTokens: false)
            let cache = model.makeCache()
            let sequence = cache.newSequence()
            var output: [Int] = []
            while output.count < 100 {
                let hidden = try model.forward([SequenceChunk(sequence: sequence, tokens: ids)], cache: cache)
                // Keep the tensor alive while its floats are read.
                let tensor = try model.logits(hidden, rows: [ids.count - 1])
                let logits = tensor.floats
                let next = (0..<model.config.vocabSize).max { logits[$0] < logits[$1] } ?? 0
                withExtendedLifetime(tensor) {}
                if next == eos { break }
                output.append(next)
                ids = [next]
            }
            let text = tok.decode(output, skipSpecialTokens: true)
            #expect(text.hasPrefix("<think>\n") && DemoFormat.isWellFormatted(text) && DemoFormat.boxedInteger(text) != nil, "\(text)")
            // Tina's own rewards agree: format 1, and the accuracy reward grades the boxed answer.
            let input = RewardInput(completion: text, solution: problem.gold)
            #expect(TinaRewards.Format().rewards([input]) == [1])
            #expect(TinaRewards.Accuracy().rewards([input]) == [DemoFormat.isCorrect(text, answer: problem.answer) ? 1 : 0])
        }
    }
}
