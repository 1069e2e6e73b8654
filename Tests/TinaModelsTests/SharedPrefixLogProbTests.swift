import Testing
import TinaCore
import TinaModels
import TinaTestSupport

/// `sequenceLogProbs` runs a prefix shared by several sequences once and continues each from a copy of its keys
/// and values: the log-probs must be those of each sequence scored on its own.
@Suite struct SharedPrefixLogProbTests {
    @Test(arguments: [ComputePrecision.f32, .bf16])
    func sharedPrefixesGiveEachSequencesOwnLogProbs(compute: ComputePrecision) throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/qwen2-gqa2"), compute: compute)
        let vocab = model.config.vocabSize
        var rng = Philox(seed: 5)
        func tokens(_ n: Int) -> [Int] { (0..<n).map { _ in Int(rng.nextUniform() * Float(vocab - 1)) } }
        let promptA = tokens(9), promptB = tokens(4)
        // Two groups of the same prompt with completions of different lengths, a lone sequence, a sequence scored
        // from position 1 (no prefix to share), and a sequence whose prompt is A's but scored from a later start.
        var sequences: [[Int]] = [], starts: [Int] = []
        for n in [3, 7, 1] { sequences.append(promptA + tokens(n)); starts.append(promptA.count) }
        for n in [5, 2] { sequences.append(promptB + tokens(n)); starts.append(promptB.count) }
        sequences.append(tokens(6)); starts.append(3)
        sequences.append(tokens(5)); starts.append(1)
        sequences.append(promptA + tokens(4)); starts.append(promptA.count + 2)
        let alone = try sequences.indices.map { try model.sequenceLogProbs([sequences[$0]], from: [starts[$0]])[0] }
        // One forward for all, then a budget that splits the groups over several forwards.
        for budget in [8192, 20] {
            let together = try model.sequenceLogProbs(sequences, from: starts, tokensPerForward: budget)
            for i in sequences.indices {
                #expect(together[i].count == sequences[i].count - starts[i])
                // f32: the same products over other row counts; bf16: oneDNN may block rows differently.
                #expect(maxScaledError(together[i], alone[i]) < (compute == .f32 ? 1e-5 : 1e-3), "sequence \(i), budget \(budget)")
            }
        }
    }
}
