import Foundation
import TinaCore

/// Times the sampler chain on rows of a vocabulary's size against the same chain whose selection is a full sort
/// of every logit (what the sampler did before). Both pick the same tokens; only the selection differs.
/// Times are medians over rows (one warm-up call per path), in nanoseconds per token.
public enum SamplerBenchmark {
    public struct Result: Sendable, Codable {
        public var vocabSize: Int
        public var tokens: Int
        public var temperature: Float
        public var topK: Int
        public var topP: Float
        public var fullSortNanosecondsPerToken: Double
        public var partialSelectionNanosecondsPerToken: Double
        /// Whether both paths drew the same token on every row (they must).
        public var sameTokens: Bool
    }

    /// Logit rows like a language model's: normal(0, 1) * 3 plus a few confident tokens, from a fixed stream.
    public static func rows(vocabSize: Int, count: Int, seed: UInt64 = 1) -> [[Float]] {
        (0..<count).map { r in
            var rng = Philox(seed: seed, stream: UInt64(r))
            var row = (0..<vocabSize).map { _ in 3 * rng.nextNormal() }
            for j in 0..<3 { row[Int(rng.next32()) % max(vocabSize, 1)] = 15 - Float(j) }
            return row
        }
    }

    public static func run(vocabSize: Int = 151_936, tokens: Int = 32, temperature: Float = 0.7,
                           topK: Int = 50, topP: Float = 0.9) throws -> Result {
        let parameters = try SamplingParameters(temperature: temperature, topK: topK, topP: topP)
        let chain = SamplerChain(parameters)
        let data = rows(vocabSize: vocabSize, count: tokens)
        func time(_ pick: (UnsafePointer<Float>, inout Philox) -> Int) -> (tokens: [Int], median: Double) {
            var rng = Philox(seed: 3)
            var picked: [Int] = [], nanoseconds: [Double] = []
            for (r, row) in data.enumerated() {
                row.withUnsafeBufferPointer { buffer in
                    guard let b = buffer.baseAddress else { return }
                    if r == 0 { var warm = Philox(seed: 0); _ = pick(b, &warm) }
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    picked.append(pick(b, &rng))
                    nanoseconds.append(Double(DispatchTime.now().uptimeNanoseconds - t0))
                }
            }
            nanoseconds.sort()
            return (picked, nanoseconds.isEmpty ? 0 : nanoseconds[nanoseconds.count / 2])
        }
        let partial = time { chain.sample($0, count: vocabSize, rng: &$1) }
        let full = time { fullSortSample($0, count: vocabSize, parameters: parameters, rng: &$1) }
        return Result(vocabSize: vocabSize, tokens: tokens, temperature: temperature, topK: topK, topP: topP,
                      fullSortNanosecondsPerToken: full.median, partialSelectionNanosecondsPerToken: partial.median,
                      sameTokens: partial.tokens == full.tokens)
    }

    /// The chain with a full sort of the row in place of partial selection (no penalties or bias).
    public static func fullSortSample(_ logits: UnsafePointer<Float>, count: Int, parameters p: SamplingParameters,
                                      rng: inout Philox) -> Int {
        if p.temperature == 0 { return SamplerStages.greedy(logits, count: count) }
        let k = p.topK > 0 && p.topK < count ? p.topK : count
        let ids = PartialSelection.topByFullSort(logits, count: count, k: k)
        var c = Candidates(ids: ids, logits: ids.map { logits[Int($0)] / p.temperature }, bestFirst: true)
        c = SamplerStages.minP(SamplerStages.topP(c, p: p.topP), p: p.minP)
        return SamplerStages.draw(c, u: rng.nextUniform())
    }
}
