import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaModels

/// Parity with transformers on tiny random checkpoints (Tests/Fixtures/decoder, made by
/// tools/reference/make_decoder_fixtures.py). Tolerance: max |logit difference| <= 1e-4.
@Suite struct DecoderParityTests {
    static let names = ["qwen2-gqa2", "qwen2-mha-tied", "qwen2-gqa6-headdim10", "llama-gqa3-tied",
                        "llama-bias-linear-rope", "llama-gqa4-untied"]
    static let tolerance: Float = 1e-4

    struct Expected {
        let sequences: [[Int]]
        let logits: [[[Float]]]
        let logprobs: [[Float]]
        let entropies: [[Float]]
        let logitsBF16: [[[Float]]]

        init(_ name: String) throws {
            let json = try readJSON(Paths.fixture("decoder/\(name)/expected.json"))
            func floats3(_ key: String) -> [[[Float]]] {
                (json[key] as? [[[Double]]] ?? []).map { $0.map { $0.map(Float.init) } }
            }
            sequences = json["sequences"] as? [[Int]] ?? []
            logits = floats3("logits")
            logitsBF16 = floats3("logits_bf16")
            logprobs = (json["logprobs"] as? [[Double]] ?? []).map { $0.map(Float.init) }
            entropies = (json["entropies"] as? [[Double]] ?? []).map { $0.map(Float.init) }
        }
    }

    static func maxDifference(_ t: Tensor, row: Int, _ expected: [Float]) -> Float {
        var worst: Float = 0
        for (i, e) in expected.enumerated() { worst = max(worst, abs(t.floats[row * expected.count + i] - e)) }
        return worst
    }

    @Test(arguments: names)
    func batchedPrefillMatchesTransformers(name: String) throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(name)"), precision: .f32)
        let expected = try Expected(name)
        let cache = model.makeCache(maxBytes: 1 << 24)
        let batch = expected.sequences.map { SequenceChunk(sequence: cache.newSequence(), tokens: $0) }
        let hidden = try model.forward(batch, cache: cache)
        let logits = try model.logits(hidden, rows: Array(0..<hidden.shape[0]))
        var row = 0
        var worst: Float = 0
        for (s, sequence) in expected.sequences.enumerated() {
            for t in 0..<sequence.count {
                worst = max(worst, Self.maxDifference(logits, row: row, expected.logits[s][t]))
                row += 1
            }
        }
        #expect(worst <= Self.tolerance, "\(name): max |logit diff| \(worst)")
    }

    @Test(arguments: names)
    func stepwiseDecodeWithCacheMatches(name: String) throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(name)"), precision: .f32)
        let expected = try Expected(name)
        let cache = model.makeCache(maxBytes: 1 << 24)
        // Sequence 0: prefill 3 tokens, then one token per step; sequence 1 decodes alongside from its start.
        let a = cache.newSequence(), b = cache.newSequence()
        let first = expected.sequences[0], second = expected.sequences[1]
        var worst: Float = 0
        var hidden = try model.forward([SequenceChunk(sequence: a, tokens: Array(first[0..<3]))], cache: cache)
        var logits = try model.logits(hidden, rows: [2])
        worst = max(worst, Self.maxDifference(logits, row: 0, expected.logits[0][2]))
        for step in 3..<first.count {
            var batch = [SequenceChunk(sequence: a, tokens: [first[step]])]
            let bStep = step - 3
            if bStep < second.count { batch.append(SequenceChunk(sequence: b, tokens: [second[bStep]])) }
            hidden = try model.forward(batch, cache: cache)
            logits = try model.logits(hidden, rows: Array(0..<batch.count))
            worst = max(worst, Self.maxDifference(logits, row: 0, expected.logits[0][step]))
            if batch.count == 2 { worst = max(worst, Self.maxDifference(logits, row: 1, expected.logits[1][bStep])) }
        }
        #expect(try cache.length(of: a) == first.count)
        #expect(worst <= Self.tolerance, "\(name): max |logit diff| \(worst)")
    }

    @Test(arguments: names)
    func logProbsAndEntropiesMatch(name: String) throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(name)"), precision: .f32)
        let expected = try Expected(name)
        let ids = expected.sequences[0]
        let cache = model.makeCache()
        let hidden = try model.forward([SequenceChunk(sequence: cache.newSequence(), tokens: ids)], cache: cache)
        let (logProbs, entropies) = try model.tokenLogProbs(hidden, rows: Array(0..<(ids.count - 1)),
                                                            targets: Array(ids[1...]), withEntropy: true)
        #expect(maxScaledError(logProbs, expected.logprobs[0]) <= Self.tolerance)
        #expect(maxScaledError(try #require(entropies), Array(expected.entropies[0].dropLast())) <= Self.tolerance)
    }

    /// bf16 weights: transformers' logits of the same model with its matrices rounded to bf16 (RNE) are the
    /// reference. Once with 15 tokens (GEMV kernels) and once with the batch repeated (30 rows: widened sgemm).
    @Test(arguments: names)
    func bf16WeightsMatchRoundedReference(name: String) throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(name)"), precision: .bf16, compute: .f32)
        let expected = try Expected(name)
        for copies in [1, 2] {
            let cache = model.makeCache()
            let sequences = Array(repeating: expected.sequences, count: copies).flatMap { $0 }
            let batch = sequences.map { SequenceChunk(sequence: cache.newSequence(), tokens: $0) }
            let hidden = try model.forward(batch, cache: cache)
            let logits = try model.logits(hidden, rows: Array(0..<hidden.shape[0]))
            var row = 0, worst: Float = 0
            for (s, sequence) in sequences.enumerated() {
                for t in 0..<sequence.count {
                    worst = max(worst, Self.maxDifference(logits, row: row, expected.logitsBF16[s % expected.sequences.count][t]))
                    row += 1
                }
            }
            #expect(worst <= Self.tolerance, "\(name) x\(copies): max |logit diff| \(worst)")
        }
    }
}
