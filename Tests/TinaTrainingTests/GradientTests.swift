import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaModels
import TinaTestSupport

/// The hand-written backward pass against PyTorch autograd through PEFT (Tests/Fixtures/training): for
/// L = sum w[s][t] * log p(token), the loss and every LoRA gradient of tiny Qwen2 and Llama models with adapters on
/// all seven projections, within 1e-4 of each tensor's largest value.
@Suite struct GradientTests {
    @Test(arguments: LoRATests.cases)
    func loraGradientsMatchAutograd(name: String) throws {
        let json = try readJSON(Paths.fixture("training/\(name)/expected.json"))
        let base = try #require(json["base"] as? String)
        let sequences = try #require(json["sequences"] as? [[Int]])
        let weights = try #require(json["weights"] as? [[Double]]).map { $0.map(Float.init) }
        let grads = try #require(json["grads"] as? [String: [String: Any]])
        let model = try DecoderModel.load(path: Paths.fixture(base), precision: .f32)
        try model.attachLoRA(try PEFTAdapterFile.read(directory: Paths.fixture("training/\(name)/adapter")))
        let (loss, logProbs) = try model.accumulateGradients(sequences: sequences, logProbWeights: weights)
        let expectedLoss = try #require(json["loss"] as? Double)
        #expect(abs(loss - expectedLoss) <= 1e-4 * max(1, abs(expectedLoss)), "loss \(loss) vs \(expectedLoss)")
        let expectedLogProbs = try #require(json["logprobs"] as? [[Double]])
        for (ours, theirs) in zip(logProbs, expectedLogProbs) { #expect(maxScaledError(ours, theirs.map(Float.init)) < 1e-4) }
        let parameters = model.loraParameters
        #expect(parameters.count == grads.count)
        var worst: Float = 0
        for p in parameters {
            let key = "base_model.model." + p.name
            let entry = try #require(grads[key], "no reference gradient for \(key)")
            let reference = (entry["values"] as? [Double] ?? []).map(Float.init)
            let ours = try p.gradient.toArray()
            let largest = max(reference.map(abs).max() ?? 0, 1e-12)
            let error = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
            worst = max(worst, error / largest)
            #expect(ours.count == reference.count && error <= 1e-4 * largest, "\(key): max error \(error) vs largest \(largest)")
        }
        print("\(name): worst LoRA gradient error \(worst) of the tensor's largest value")
    }

    /// Full fine-tuning (every weight, tied embeddings: lm_head's gradient lands in the embedding) against autograd.
    @Test func fullGradientsMatchAutograd() throws {
        let json = try readJSON(Paths.fixture("training/full-qwen2-mha-tied/expected.json"))
        let base = try #require(json["base"] as? String)
        let sequences = try #require(json["sequences"] as? [[Int]])
        let weights = try #require(json["weights"] as? [[Double]]).map { $0.map(Float.init) }
        let grads = try #require(json["grads"] as? [String: [String: Any]])
        let model = try DecoderModel.load(path: Paths.fixture(base), precision: .f32)
        let parameters = try model.enableFullTraining()
        #expect(Set(parameters.map(\.name)) == Set(grads.keys))
        let (loss, _) = try model.accumulateGradients(sequences: sequences, logProbWeights: weights)
        let expectedLoss = try #require(json["loss"] as? Double)
        #expect(abs(loss - expectedLoss) <= 1e-4 * max(1, abs(expectedLoss)))
        for p in parameters {
            let reference = ((grads[p.name]?["values"]) as? [Double] ?? []).map(Float.init)
            let ours = try p.gradient.toArray()
            let largest = max(reference.map(abs).max() ?? 0, 1e-12)
            let error = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(ours.count == reference.count && error <= 1e-4 * largest, "\(p.name): max error \(error) vs largest \(largest)")
        }
        // An optimizer step on the shared storage changes what the next forward computes.
        let before = try model.accumulateGradients(sequences: sequences, logProbWeights: weights).loss
        for p in parameters { try CPUBackend.shared.adamW(p.value, gradient: p.gradient, firstMoment: try Tensor(zeros: p.value.shape),
                                                          secondMoment: try Tensor(zeros: p.value.shape), step: 1, learningRate: 1e-2,
                                                          beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0) }
        let after = try model.accumulateGradients(sequences: sequences, logProbWeights: weights).loss
        #expect(after < before, "one AdamW (descent) step lowers L: \(before) -> \(after)")
    }

    @Test func fullTrainingNeedsF32() throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/qwen2-gqa2"), precision: .bf16)
        #expect(throws: TinaError.self) { try model.enableFullTraining() }
    }

    /// A loss computed from the log-probs themselves (here sum exp(logp), the shape of GRPO's ratio terms): the
    /// closure sees PyTorch's log-probs, and its gradient weights give the same LoRA gradients as passing them
    /// directly.
    @Test func lossClosureSeesTheLogProbs() throws {
        let json = try readJSON(Paths.fixture("training/qwen2-gqa2-lora/expected.json"))
        let sequences = try #require(json["sequences"] as? [[Int]])
        let expected = try #require(json["logprobs"] as? [[Double]])
        let model = try DecoderModel.load(path: Paths.fixture("decoder/qwen2-gqa2"), precision: .f32)
        try model.attachLoRA(try PEFTAdapterFile.read(directory: Paths.fixture("training/qwen2-gqa2-lora/adapter")))
        var seen: [[Float]] = []
        let (loss, _) = try model.accumulateGradients(sequences: sequences) { logProbs in
            seen = logProbs
            let gradient = logProbs.map { $0.map { exp($0) } }
            return (gradient, gradient.reduce(0.0) { $0 + $1.reduce(0.0) { $0 + Double($1) } })
        }
        for (ours, theirs) in zip(seen, expected) { #expect(maxScaledError(ours, theirs.map(Float.init)) < 1e-4) }
        #expect(loss > 0)
        let viaClosure = try model.loraParameters.map { try $0.gradient.toArray() }
        for p in model.loraParameters { p.gradient.floats.update(repeating: 0, count: p.gradient.count) }
        _ = try model.accumulateGradients(sequences: sequences, logProbWeights: seen.map { $0.map { exp($0) } })
        for (p, g) in zip(model.loraParameters, viaClosure) { #expect(try p.gradient.toArray() == g, "\(p.name)") }
    }

    /// LoRA dropout: the backward regenerates the forward's masks, so gradients equal finite differences of the
    /// same masked loss; and the masks are really applied (gradients differ from the dropout-free pass).
    @Test func dropoutGradientsMatchFiniteDifferences() throws {
        let json = try readJSON(Paths.fixture("training/qwen2-gqa2-lora/expected.json"))
        let sequences = try #require(json["sequences"] as? [[Int]])
        let weights = try #require(json["weights"] as? [[Double]]).map { $0.map(Float.init) }
        let model = try DecoderModel.load(path: Paths.fixture("decoder/qwen2-gqa2"), precision: .f32)
        try model.attachLoRA(try PEFTAdapterFile.read(directory: Paths.fixture("training/qwen2-gqa2-lora/adapter")))
        for (_, linear) in model.projections { linear.trainables.adapter?.dropout = 0.3 }
        let mask = LoRADropout(seed: 5, step: 1)
        func zero() { for p in model.loraParameters { p.gradient.floats.update(repeating: 0, count: p.gradient.count) } }
        _ = try model.accumulateGradients(sequences: sequences, logProbWeights: weights)
        let plain = try model.loraParameters.map { try $0.gradient.toArray() }
        zero()
        _ = try model.accumulateGradients(sequences: sequences, logProbWeights: weights, dropout: mask)
        let analytic = try model.loraParameters.map { try $0.gradient.toArray() }
        #expect(zip(plain, analytic).contains { $0 != $1 }, "dropout changed nothing")
        let h: Float = 1e-2
        for index in [0, 9, 20, 27] {  // A and B of several modules in both layers
            let p = model.loraParameters[index]
            let largest = analytic[index].map(abs).max() ?? 1
            for element in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 5)) {
                let original = p.value.floats[element]
                p.value.floats[element] = original + h
                let up = try model.accumulateGradients(sequences: sequences, logProbWeights: weights, dropout: mask).loss
                p.value.floats[element] = original - h
                let down = try model.accumulateGradients(sequences: sequences, logProbWeights: weights, dropout: mask).loss
                p.value.floats[element] = original
                let numeric = Float((up - down) / Double(2 * h))
                #expect(abs(numeric - analytic[index][element]) <= 3e-2 * largest, "\(p.name)[\(element)]: \(numeric) vs \(analytic[index][element])")
            }
        }
    }

    /// Gradient checkpointing (each layer's activations recomputed from its saved input in the backward, dropout
    /// masks drawn again) gives the same loss, log-probs and LoRA gradients bit for bit; so does a full fine-tune.
    @Test(arguments: [false, true])
    func checkpointingChangesNoBit(full: Bool) throws {
        let json = try readJSON(Paths.fixture("training/qwen2-gqa2-lora/expected.json"))
        let sequences = try #require(json["sequences"] as? [[Int]])
        let weights = try #require(json["weights"] as? [[Double]]).map { $0.map(Float.init) }
        func run(checkpointing: Bool) throws -> (Double, [[Float]], [[Float]]) {
            let model = try DecoderModel.load(path: Paths.fixture("decoder/qwen2-gqa2"), precision: .f32)
            let parameters: [TrainableParameter]
            if full {
                parameters = try model.enableFullTraining().sorted { $0.name < $1.name }
            } else {
                try model.attachLoRA(try PEFTAdapterFile.read(directory: Paths.fixture("training/qwen2-gqa2-lora/adapter")))
                for (_, linear) in model.projections { linear.trainables.adapter?.dropout = 0.3 }
                parameters = model.loraParameters
            }
            model.gradientCheckpointing = checkpointing
            let (loss, logProbs) = try model.accumulateGradients(sequences: sequences, logProbWeights: weights,
                                                                 dropout: full ? nil : LoRADropout(seed: 5, step: 1))
            return (loss, logProbs, try parameters.map { try $0.gradient.toArray() })
        }
        let plain = try run(checkpointing: false), checkpointed = try run(checkpointing: true)
        #expect(plain.0 == checkpointed.0)
        #expect(plain.1 == checkpointed.1)
        #expect(plain.2.count == checkpointed.2.count && plain.2 == checkpointed.2)
        #expect(plain.2.contains { $0.contains { $0 != 0 } }, "no gradient at all")
    }

    @Test func dropoutMasksAreDeterministic() throws {
        let backend = CPUBackend.shared
        let x = try Tensor(shape: [1000, 100], values: [Float](repeating: 2, count: 100_000))
        let a = try Tensor(zeros: [1000, 100]), b = try Tensor(zeros: [1000, 100]), c = try Tensor(zeros: [1000, 100])
        try backend.dropout(x, probability: 0.25, seed: 9, stream: 3, into: a)
        try backend.dropout(x, probability: 0.25, seed: 9, stream: 3, into: b)
        try backend.dropout(x, probability: 0.25, seed: 9, stream: 4, into: c)
        let av = try a.toArray()
        #expect(av == (try b.toArray()))
        #expect(av != (try c.toArray()))
        let dropped = av.filter { $0 == 0 }.count
        #expect(abs(Double(dropped) / 100_000 - 0.25) < 0.01)  // fixed seed: a deterministic count
        #expect(av.allSatisfy { $0 == 0 || abs($0 - 2 / 0.75) < 1e-6 })
    }

    /// The mask is the documented hash, element for element, on the SIMD path and its scalar tail: SplitMix64's
    /// finalizer of base + pair * golden, base = mix(seed ^ mix(stream + 0xD1B5_4A32_D192_ED03)); element 2p keeps
    /// when the low 32 bits are >= p * 2^32, element 2p + 1 the high 32 bits.
    @Test(arguments: [1, 15, 16, 17, 33, 100_003])
    func dropoutMaskIsTheDocumentedHash(count: Int) throws {
        func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let (seed, stream, probability): (UInt64, UInt64, Float) = (77, 12, 0.3)
        let base = mix(seed ^ mix(stream &+ 0xD1B5_4A32_D192_ED03))
        let threshold = UInt64((Double(probability) * 4_294_967_296).rounded(.down))
        let values = (0..<count).map { Float($0 % 13) - 6 }
        let out = try Tensor(zeros: [count])
        try CPUBackend.shared.dropout(try Tensor(shape: [count], values: values), probability: probability, seed: seed, stream: stream, into: out)
        let keep = 1 / (1 - probability)
        let expected = (0..<count).map { i -> Float in
            let bits = mix(base &+ UInt64(i / 2) &* 0x9E37_79B9_7F4A_7C15)
            let half = i % 2 == 0 ? bits & 0xFFFF_FFFF : bits >> 32
            return half >= threshold ? values[i] * keep : 0
        }
        #expect(try out.toArray() == expected)
    }
}
