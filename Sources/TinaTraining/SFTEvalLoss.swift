import TinaCore
import TinaModels

/// Held-out loss: the mean negative log-likelihood per completion token over every evaluation example, computed
/// with the inference path (adapters on, no dropout, no gradients). It is a token-weighted mean over the whole set,
/// so it does not depend on how examples are batched; transformers' eval_loss averages per-batch means instead,
/// which differs when completions differ in length.
public enum SFTEvalLoss {
    public static func compute(_ model: DecoderModel, examples: [SFTExample], tokensPerForward: Int = 8192) throws -> Double {
        let usable = examples.filter { !$0.prompt.isEmpty && !$0.completion.isEmpty }
        guard !usable.isEmpty else { throw TinaError.invalidArgument("no evaluation example has both a prompt and a completion") }
        let logProbs = try model.sequenceLogProbs(usable.map(\.tokens), from: usable.map(\.prompt.count), tokensPerForward: tokensPerForward)
        var total = 0.0, count = 0
        for row in logProbs {
            total -= row.reduce(0.0) { $0 + Double($1) }
            count += row.count
        }
        return total / Double(count)
    }
}
