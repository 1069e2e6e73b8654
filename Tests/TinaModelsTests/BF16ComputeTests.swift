import Foundation
import Testing
import TinaCore
import TinaModels
import TinaTestSupport

/// The bf16 compute path (bf16 x bf16 products, f32 accumulation) against transformers run in bf16 on the same
/// tiny checkpoints (Tests/Fixtures/decoder-bf16, made by tools/reference/make_bf16_fixtures.py).
///
/// Stated tolerance: transformers rounds every activation to bf16 (residual stream, norms, attention
/// probabilities); Tina rounds only the inputs of matrix products and keeps the rest f32. The two bf16
/// computations therefore differ by about as much as bf16 differs from f32. Per model, over every position:
/// mean |delta log p| <= 2 x (transformers bf16 vs f32) + 0.005, and the same top-1 token everywhere except
/// between near-ties (transformers' two logits within `nearTie`; the tiny random models have such ties).
@Suite struct BF16ComputeTests {
    struct Fixture {
        let sequences: [[Int]]
        let logits: [[[Float]]]
        let bf16VersusF32MeanLogProb: Double

        init(_ name: String) throws {
            let json = try readJSON(Paths.fixture("decoder-bf16/\(name).json"))
            sequences = json["sequences"] as? [[Int]] ?? []
            logits = (json["logits_bf16"] as? [[[Double]]] ?? []).map { $0.map { $0.map(Float.init) } }
            bf16VersusF32MeanLogProb = (json["bf16_vs_f32"] as? [String: Any])?["mean_abs_logprob_diff"] as? Double ?? 0
        }
    }

    static let nearTie: Float = 0.02

    static func logSoftmax(_ z: [Float]) -> [Double] {
        let m = Double(z.max() ?? 0)
        let lse = m + log(z.reduce(0.0) { $0 + exp(Double($1) - m) })
        return z.map { Double($0) - lse }
    }

    /// Through oneDNN's bf16 kernels (`oneDNNOnly` sends every product there) and through the default
    /// backend with the batch repeated (other row counts, other kernels).
    @Test(arguments: DecoderParityTests.names)
    func bf16ComputeTracksTransformersBF16(name: String) throws {
        let fixture = try Fixture(name)
        for backend in [CPUBackend.oneDNNOnly(), CPUBackend.shared] {
            let model = try DecoderModel.load(path: Paths.fixture("decoder/\(name)"), precision: .bf16, compute: .bf16, backend: backend)
            #expect(model.compute == .bf16)
            let copies = backend === CPUBackend.shared ? 2 : 1
            let sequences = Array(repeating: fixture.sequences, count: copies).flatMap { $0 }
            let cache = model.makeCache()
            let hidden = try model.forward(sequences.map { SequenceChunk(sequence: cache.newSequence(), tokens: $0) }, cache: cache)
            let logits = try model.logits(hidden, rows: Array(0..<hidden.shape[0]))
            let vocab = model.config.vocabSize
            var row = 0, total = 0.0, count = 0, agree = 0
            for (s, sequence) in sequences.enumerated() {
                for t in 0..<sequence.count {
                    let ours = Array(UnsafeBufferPointer(start: logits.floats + row * vocab, count: vocab))
                    let theirs = fixture.logits[s % fixture.sequences.count][t]
                    let a = Self.logSoftmax(ours), b = Self.logSoftmax(theirs)
                    total += zip(a, b).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(vocab)
                    count += 1
                    let ourTop = ours.indices.max(by: { ours[$0] < ours[$1] }) ?? 0
                    let theirTop = theirs.indices.max(by: { theirs[$0] < theirs[$1] }) ?? 0
                    if ourTop == theirTop { agree += 1 } else {
                        // A flip is allowed only between near-ties of transformers' own bf16 logits.
                        let gap = theirs[theirTop] - theirs[ourTop]
                        print("  top-1 flip at row \(row): transformers' gap \(gap)")
                        #expect(gap <= Self.nearTie, "\(name) row \(row): top-1 \(ourTop) vs \(theirTop), gap \(gap)")
                    }
                    row += 1
                }
            }
            let mean = total / Double(count), bound = 2 * fixture.bf16VersusF32MeanLogProb + 0.005
            print("bf16 compute \(name) (\(copies == 1 ? "oneDNN only" : "default")): mean |dlogp| \(mean) (bound \(bound)), top-1 \(agree)/\(count)")
            #expect(mean <= bound, "\(name): mean |delta log p| \(mean) > \(bound)")
        }
    }
}
