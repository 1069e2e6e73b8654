import Foundation
import TinaCore
import TinaFormats
import TinaModels

/// LoRA training speed: forward + backward of a cross-entropy-like loss over `batch` sequences of `sequence`
/// tokens (every position predicted), with adapters of rank r (alpha 4r, dropout 0.05) on all seven
/// projections. The optimizer step is excluded (it is tiny for LoRA).
public struct TrainBenchResult: Codable, Sendable {
    public var model: String
    public var precision: String
    public var rank: Int
    public var batch: Int
    public var sequence: Int
    public var seconds: Double
    public var tokensPerSecond: Double
    public var peakResidentMiB: Double
    public var estimate: TrainingMemoryEstimate
    /// Model FLOPs of one step, counted as bench/peer_peft_train.py counts PEFT's (`TrainBench.modelGFLOP`).
    public var modelGFLOP: Double
    public var gflops: Double
    /// gflops over the machine's measured peak for the products' precision (bf16 dot products, or FP32 FMA).
    public var fractionOfPeak: Double?
    public var peakName: String?
}

public enum TrainBench {
    /// Model FLOPs of one LoRA step with a frozen base, the count bench/peer_peft_train.py uses for PEFT: 4 tokens
    /// in out per base linear (forward and input gradient; lm_head included), 6 tokens r (in + out) per adapter,
    /// and attention 3 x 2 batch seq^2 heads headDim layers (the causal half of the score and value products).
    public static func modelGFLOP(config c: DecoderConfig, layers: Int, rank r: Int, batch: Int, sequence: Int) -> Double {
        let tokens = Double(batch * sequence), h = c.hiddenSize, q = c.headCount * c.headDim, kv = c.kvHeadCount * c.headDim
        let i = c.intermediateSize
        let shapes = [(h, q), (h, kv), (h, kv), (q, h), (h, i), (h, i), (i, h)]
        let frozen = Double(layers) * shapes.reduce(0.0) { $0 + 4 * tokens * Double($1.0 * $1.1) } + 4 * tokens * Double(h * c.vocabSize)
        let lora = Double(layers) * shapes.reduce(0.0) { $0 + 6 * tokens * Double(r * ($1.0 + $1.1)) }
        let attention = 2 * Double(batch) * Double(sequence * sequence) * Double(c.headCount * c.headDim * layers)
        return (frozen + lora + 3 * attention) / 1e9
    }

    public static func run(name: String, model: DecoderModel, rank: Int, batch: Int, sequence: Int, runs: Int = 2,
                           limits: MachineLimits? = nil, progress: (String) -> Void = { _ in }) throws -> TrainBenchResult {
        try model.attachNewLoRA(PEFTAdapterConfig(rank: rank, alpha: Double(4 * rank), dropout: 0.05,
                                                  targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]),
                                seed: 1)
        let vocab = model.config.vocabSize
        let sequences = (0..<batch).map { s in (0..<sequence).map { ($0 * 7919 + s * 104_729 + 13) % vocab } }
        let weights = sequences.map { [Float](repeating: -1 / Float(batch * (sequence - 1)), count: $0.count - 1) }
        let estimate = model.trainingMemoryEstimate(tokens: batch * sequence, longest: sequence)
        progress(estimate.summary)
        var best = Double.infinity
        for run in 0...max(1, runs) {  // the first run warms up
            let start = Stopwatch.now()
            // LoRA dropout 0.05 as PEFT trains (masks drawn per step, regenerated in the backward).
            _ = try model.accumulateGradients(sequences: sequences, logProbWeights: weights,
                                              dropout: LoRADropout(seed: 1, step: UInt64(run)))
            best = min(best, Stopwatch.now() - start)
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let gflop = modelGFLOP(config: model.config, layers: model.weights.layers.count, rank: rank, batch: batch, sequence: sequence)
        let peak: (name: String, gflops: Double)? = model.compute == .bf16
            ? limits?.bf16PeakGFLOPS.map { ("bf16 dot-product peak", $0) }
            : limits.map { ("FP32 FMA peak", $0.fp32PeakGFLOPS) }
        let result = TrainBenchResult(model: name, precision: "\(model.compute.rawValue) products", rank: rank, batch: batch,
                                      sequence: sequence, seconds: best, tokensPerSecond: Double(batch * sequence) / best,
                                      peakResidentMiB: Double(usage.ru_maxrss) / 1024, estimate: estimate,
                                      modelGFLOP: gflop, gflops: gflop / best, fractionOfPeak: peak.map { gflop / best / $0.gflops },
                                      peakName: peak?.name)
        progress(String(format: "train %@ LoRA r=%d, %d x %d tokens: forward+backward %.2f s = %.1f tok/s, %.0f GFLOP/s%@, peak RSS %.0f MiB",
                        name, rank, batch, sequence, best, result.tokensPerSecond, result.gflops,
                        peak.map { String(format: " (%.0f%% of the %@)", 100 * result.gflops / $0.gflops, $0.name) } ?? "",
                        result.peakResidentMiB))
        return result
    }

    /// One forward + backward with every backend operation timed.
    public static func profile(model: DecoderModel, batch: Int, sequence: Int) throws -> [(name: String, seconds: Double, calls: Int)] {
        let vocab = model.config.vocabSize
        let sequences = (0..<batch).map { s in (0..<sequence).map { ($0 * 7919 + s * 104_729 + 13) % vocab } }
        let weights = sequences.map { [Float](repeating: -1, count: $0.count - 1) }
        OpProfile.start()
        let start = Stopwatch.now()
        _ = try model.accumulateGradients(sequences: sequences, logProbWeights: weights, dropout: LoRADropout(seed: 1, step: 99))
        let total = Stopwatch.now() - start
        return OpProfile.stop() + [("total (wall)", total, 1)]
    }
}
