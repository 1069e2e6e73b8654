import Foundation
import Testing
import TinaCore
import TinaGeneration

@Suite struct SamplerChainTests {
    static let row = logits(of: [0.05, 0.4, 0.05, 0.3, 0.2])

    /// Temperature 0 is the argmax of the adjusted logits and consumes no uniform.
    @Test func greedyDrawsNothing() throws {
        let chain = SamplerChain(try SamplingParameters(logitBias: [4: 1]))
        var rng = Philox(seed: 1), untouched = Philox(seed: 1)
        #expect(withRow(Self.row) { chain.sample($0, count: 5, rng: &rng) } == 4)
        #expect(rng.next32() == untouched.next32())
        #expect(withRow(Self.row) { Sampler.greedy.sample($0, count: 5, rng: &rng) } == 1)
    }

    /// top-k 3 then top-p 0.7 leaves ids 1 and 3 (0.4 / 0.9, then + 0.3 / 0.9 >= 0.7) at 4/7 and 3/7; the chain's
    /// tokens equal the inverse CDF of those two applied to the same known uniforms.
    @Test func chainComposesTheStages() throws {
        let chain = SamplerChain(try SamplingParameters(temperature: 1, topK: 3, topP: 0.7, minP: 0.1))
        var rng = Philox(seed: 9), twin = Philox(seed: 9)
        for _ in 0..<5_000 {
            let token = withRow(Self.row) { chain.sample($0, count: 5, rng: &rng) }
            let u = Double(twin.nextUniform())
            guard abs(u - 4.0 / 7) > 1e-6 else { continue }
            #expect(token == (u < 4.0 / 7 ? 1 : 3))
        }
        // min-p 0.8 then drops id 3 (0.3 < 0.8 * 0.4): only id 1 remains.
        let strict = SamplerChain(try SamplingParameters(temperature: 1, topK: 3, topP: 0.7, minP: 0.8))
        for _ in 0..<100 { #expect(withRow(Self.row) { strict.sample($0, count: 5, rng: &rng) } == 1) }
    }

    /// Penalties and bias run before the truncations: a -inf-like bias removes the best token from top-1.
    @Test func penaltiesAndBiasComeFirst() throws {
        var rng = Philox(seed: 3)
        let biased = SamplerChain(try SamplingParameters(temperature: 1, topK: 1, logitBias: [1: -50]))
        #expect(withRow(Self.row) { biased.sample($0, count: 5, rng: &rng) } == 3)
        // Repetition penalty 10 on ids 1 and 3 (logits < 0: multiplied) leaves id 4 the best.
        let penalized = SamplerChain(try SamplingParameters(temperature: 1, topK: 1, repetitionPenalty: 10))
        #expect(withRow(Self.row) { penalized.sample($0, count: 5, history: PenaltyHistory(prompt: [1], output: [3]), rng: &rng) } == 4)
    }

    /// The legacy `Sampler` front gives the chain's tokens.
    @Test func samplerFrontMatchesChain() throws {
        let sampler = try Sampler(temperature: 0.8, topK: 4, topP: 0.9)
        let chain = SamplerChain(try SamplingParameters(temperature: 0.8, topK: 4, topP: 0.9))
        var a = Philox(seed: 4), b = Philox(seed: 4)
        for _ in 0..<200 {
            #expect(withRow(Self.row) { sampler.sample($0, count: 5, rng: &a) } == withRow(Self.row) { chain.sample($0, count: 5, rng: &b) })
        }
        #expect(throws: TinaError.self) { try Sampler(temperature: -1) }
    }

    /// Partial selection and the full-sort baseline choose the same tokens on vocabulary-sized rows.
    @Test func benchmarkPathsAgree() throws {
        for (k, p) in [(50, Float(0.9)), (0, 0.95), (0, 1)] {
            let r = try SamplerBenchmark.run(vocabSize: 151_936, tokens: 9, temperature: 0.8, topK: k, topP: p)
            #expect(r.sameTokens, "top-k \(k) top-p \(p)")
            print("sampler over \(r.vocabSize) logits, top-k \(k) top-p \(p): full sort \(Int(r.fullSortNanosecondsPerToken)) ns/token, "
                  + "partial selection \(Int(r.partialSelectionNanosecondsPerToken)) ns/token")
        }
    }
}
