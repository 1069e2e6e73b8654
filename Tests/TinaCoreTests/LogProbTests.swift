import Foundation
import Testing
import TinaCore
import TinaTestSupport

@Suite struct LogProbTests {
    /// Entropy does not depend on a constant added to the logits; computed as lse - sum p z in f32 it lost ~4e-4
    /// to cancellation at SmolLM2's logit sizes (found by tools/reference/check_peft_roundtrip.py).
    @Test func entropyIsExactForLargeLogits() throws {
        let vocab = 49_152
        let base = randomFloats(vocab, seed: 21, scale: 3)
        var reference = 0.0
        let m = Double(base.max() ?? 0)
        let e = base.map { exp(Double($0) - m) }, total = e.reduce(0, +)
        for w in e { let p = w / total; reference -= p * log(p) }
        for offset: Float in [0, 30, 1000] {
            let logits = try Tensor(shape: [1, vocab], values: base.map { $0 + offset })
            let entropy = try #require(try CPUBackend.shared.tokenLogProbs(logits, targets: [7], withEntropy: true).entropies?.first)
            #expect(abs(Double(entropy) - reference) < 2e-5, "offset \(offset): \(entropy) vs \(reference)")
        }
    }
}
