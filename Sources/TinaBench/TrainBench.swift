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
}

public enum TrainBench {
    public static func run(name: String, model: DecoderModel, rank: Int, batch: Int, sequence: Int, runs: Int = 2,
                           progress: (String) -> Void = { _ in }) throws -> TrainBenchResult {
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
        let result = TrainBenchResult(model: name, precision: "\(model.compute.rawValue) products", rank: rank, batch: batch,
                                      sequence: sequence, seconds: best, tokensPerSecond: Double(batch * sequence) / best,
                                      peakResidentMiB: Double(usage.ru_maxrss) / 1024, estimate: estimate)
        progress(String(format: "train %@ LoRA r=%d, %d x %d tokens: forward+backward %.2f s = %.1f tok/s, peak RSS %.0f MiB",
                        name, rank, batch, sequence, best, result.tokensPerSecond, result.peakResidentMiB))
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
