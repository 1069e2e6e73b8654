import Foundation
import Testing
import TinaCore
import TinaGeneration
import TinaModels
import TinaTestSupport

/// The batched engine against the single-sequence generator (itself equal to transformers' greedy output), and
/// its promises: completions independent of batch composition and slot count, per-sequence stops, raw log-probs,
/// and a memory budget that queues instead of failing.
@Suite struct RolloutEngineTests {
    static func model() throws -> DecoderModel {
        try DecoderModel.load(path: Paths.fixture("decoder/qwen2-gqa2"), compute: .f32)
    }

    /// Token t decodes to one letter, so a stop string of two letters spans two tokens.
    static let decode: @Sendable ([Int]) -> String = { ids in
        String(ids.map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
    }

    static let prompts: [[Int]] = [[5, 17, 3, 42, 8], [1, 2, 3], [60, 61, 62, 63, 64, 65, 66, 67, 68], [9], [33, 21]]

    func requests(_ parameters: SamplingParameters, samples: Int = 1) -> [RolloutRequest] {
        Self.prompts.enumerated().map { RolloutRequest(id: 100 + $0.offset, prompt: $0.element, samples: samples, parameters: parameters) }
    }

    @Test func greedyEqualsTheSingleSequenceGenerator() throws {
        let model = try Self.model()
        let parameters = try SamplingParameters(maxNewTokens: 12)
        let engine = RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: 4)
        let completions = try engine.run(requests(parameters))
        #expect(completions.count == Self.prompts.count)
        for (completion, prompt) in zip(completions, Self.prompts) {
            let expected = try Generator(model: model, parameters: parameters, stopTokens: []).generate(prompt: prompt)
            #expect(completion.tokens == expected)
            #expect(completion.finishReason == .length)
            #expect(completion.text == Self.decode(expected))
            #expect(completion.promptTokens == prompt.count)
        }
    }

    @Test func sampledCompletionsDoNotDependOnSlotsOrBatchComposition() throws {
        let model = try Self.model()
        let parameters = try SamplingParameters(temperature: 1.0, topP: 0.9, seed: 7, maxNewTokens: 10)
        func run(_ slots: Int, _ reqs: [RolloutRequest]) throws -> [[Int]: [Int]] {
            let engine = RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: slots)
            var byKey: [[Int]: [Int]] = [:]
            for c in try engine.run(reqs) { byKey[[c.requestID, c.sample]] = c.tokens }
            return byKey
        }
        let all = requests(parameters, samples: 3)
        let one = try run(1, all)
        #expect(one.count == 15)
        #expect(try run(4, all) == one)
        #expect(try run(32, all) == one)
        // A request alone, or in another order, draws the same samples.
        let alone = try run(8, [all[2]])
        for s in 0..<3 { #expect(alone[[102, s]] == one[[102, s]]) }
        let reversed = try run(5, all.reversed())
        #expect(reversed == one)
        // Asking for samples 1...2 alone draws the same two as the full run.
        let engine = RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: 4)
        let tail = try engine.run([RolloutRequest(id: 101, prompt: Self.prompts[1], samples: 2, firstSample: 1, parameters: parameters)])
        #expect(tail.map(\.sample) == [1, 2])
        for c in tail { #expect(c.tokens == one[[101, c.sample]]) }
        // The samples of one prompt differ from each other (distinct streams).
        #expect(Set((0..<3).compactMap { one[[100, $0]] }).count > 1)
    }

    @Test func sampleMatchesTheGeneratorWithTheSameStream() throws {
        let model = try Self.model()
        let parameters = try SamplingParameters(temperature: 0.8, topK: 20, seed: 3, maxNewTokens: 9)
        let engine = RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: 8)
        let completions = try engine.run([RolloutRequest(id: 4, prompt: Self.prompts[0], samples: 2, parameters: parameters)])
        for c in completions {
            let expected = try Generator(model: model, parameters: parameters, stopTokens: [])
                .generate(prompt: Self.prompts[0], requestID: 4, sampleIndex: UInt32(c.sample))
            #expect(c.tokens == expected)
        }
    }

    @Test func logProbsAreTheRawModelsLogProbs() throws {
        let model = try Self.model()
        let parameters = try SamplingParameters(temperature: 0.7, seed: 1, maxNewTokens: 8)
        let engine = RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: 3)
        for c in try engine.run(requests(parameters)) {
            let prompt = Self.prompts[c.requestIndex]
            let full = prompt + c.tokens
            let cache = model.makeCache()
            let hidden = try model.forward([SequenceChunk(sequence: cache.newSequence(), tokens: full)], cache: cache)
            let rows = Array((prompt.count - 1)..<(full.count - 1))
            let expected = try model.tokenLogProbs(hidden, rows: rows, targets: c.tokens).logProbs
            #expect(c.logProbs.count == c.tokens.count)
            for (a, b) in zip(c.logProbs, expected) { #expect(abs(a - b) < 1e-4) }
        }
    }

    @Test func stopTokensStopStringsAndContextEndSequencesOneByOne() throws {
        let model = try Self.model()
        let free = try RolloutEngine(model: model, stopTokens: [], decode: Self.decode)
            .run([RolloutRequest(id: 0, prompt: Self.prompts[0], parameters: try SamplingParameters(maxNewTokens: 12))])[0]
        // A stop token: the first occurrence of the 4th generated token ends the sample, and is kept.
        let stopToken = free.tokens[3]
        let cut = free.tokens.firstIndex(of: stopToken)! + 1
        let byToken = try RolloutEngine(model: model, stopTokens: [stopToken], decode: Self.decode)
            .run([RolloutRequest(id: 0, prompt: Self.prompts[0], parameters: try SamplingParameters(maxNewTokens: 12))])[0]
        #expect(byToken.tokens == Array(free.tokens.prefix(cut)))
        #expect(byToken.finishReason == .stop)
        // A stop string spanning tokens 5 and 6.
        let stop = Self.decode(Array(free.tokens[5...6]))
        let firstStop = (1...free.tokens.count).first { Self.decode(Array(free.tokens.prefix($0))).contains(stop) }!
        let byString = try RolloutEngine(model: model, stopTokens: [], decode: Self.decode)
            .run([RolloutRequest(id: 0, prompt: Self.prompts[0], parameters: try SamplingParameters(maxNewTokens: 12, stopStrings: [stop]))])[0]
        #expect(byString.tokens == Array(free.tokens.prefix(firstStop)))
        #expect(byString.finishReason == .stop)
        // The context (256 positions) ends a long prompt's sample.
        let long = Array(repeating: 7, count: 250)
        let byContext = try RolloutEngine(model: model, stopTokens: [], decode: Self.decode)
            .run([RolloutRequest(id: 0, prompt: long, parameters: try SamplingParameters(maxNewTokens: 20))])[0]
        #expect(byContext.tokens.count == 6)
        #expect(byContext.finishReason == .context)
    }

    @Test func aSmallMemoryBudgetQueuesWithoutChangingResults() throws {
        let model = try Self.model()
        let parameters = try SamplingParameters(temperature: 1, seed: 11, maxNewTokens: 10)
        let all = requests(parameters, samples: 2)
        let roomy = try RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: 16).run(all)
        // Room for about two sequences at a time.
        let perPosition = model.makeCache().bytesPerPosition
        var peak = 0
        let tight = try RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: 16, cacheBytes: 60 * perPosition)
            .run(all, onProgress: { peak = max(peak, $0.activeSequences) })
        #expect(tight.map(\.tokens) == roomy.map(\.tokens))
        #expect(peak <= 2)
        // A request that cannot fit even alone is refused before anything runs.
        #expect(throws: TinaError.self) {
            try RolloutEngine(model: model, stopTokens: [], decode: Self.decode, cacheBytes: 20 * perPosition).run(all)
        }
    }

    @Test func progressAndCallbacksCoverEveryCompletion() throws {
        let model = try Self.model()
        var seen: [[Int]] = []
        var last: RolloutProgress?
        let parameters = try SamplingParameters(temperature: 1, seed: 2, maxNewTokens: 6)
        let result = try RolloutEngine(model: model, stopTokens: [], decode: Self.decode, maxSlots: 3)
            .run(requests(parameters, samples: 2), onProgress: { last = $0 }, onCompletion: { seen.append([$0.requestIndex, $0.sample]) })
        #expect(seen.count == 10)
        #expect(Set(seen).count == 10)
        #expect(result.map { [$0.requestIndex, $0.sample] } == seen.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
        #expect(last?.completed == 10)
        #expect(last?.generatedTokens == result.reduce(0) { $0 + $1.tokens.count })
        #expect(last?.promptTokens == Self.prompts.reduce(0) { $0 + $1.count })
    }
}
