import TinaCore

/// Full fine-tuning: every weight of the model trainable, updated in place (the parameters share the storage
/// the products read, so an optimizer step is seen by the next forward without any copy). Needed to train a
/// small model from scratch; LoRA is the default for everything else.
extension DecoderModel {
    /// Makes every weight trainable under its Hugging Face name and returns the parameters in name order. Needs
    /// f32 weights and f32 products (`DecoderModel.load(path:, precision: .f32)`), and no LoRA adapter.
    @discardableResult
    public func enableFullTraining() throws -> [TrainableParameter] {
        guard compute == .f32, weights.embedding.dtype == .f32 else {
            throw TinaError.invalidArgument("full fine-tuning needs f32 weights and f32 products (load with precision f32)")
        }
        guard loraConfig == nil else { throw TinaError.invalidArgument("full fine-tuning with a LoRA adapter attached") }
        var parameters: [String: TrainableParameter] = [:]
        func add(_ name: String, _ tensor: Tensor) throws -> TrainableParameter {
            let p = try TrainableParameter(name: name, value: tensor, backend: backend)
            parameters[name] = p
            return p
        }
        _ = try add("model.embed_tokens.weight", weights.embedding)
        _ = try add("model.norm.weight", weights.finalNorm)
        for (i, layer) in weights.layers.enumerated() {
            _ = try add("model.layers.\(i).input_layernorm.weight", layer.inputNorm)
            _ = try add("model.layers.\(i).post_attention_layernorm.weight", layer.postAttentionNorm)
        }
        var linears = projections
        if !config.tieWordEmbeddings { linears.append(("lm_head", weights.lmHead)) }
        for (name, linear) in linears {
            guard let tensor = linear.matrix.trainableTensor else {
                throw TinaError.invalidArgument("'\(name)' is not held as an f32 matrix the backend can train in place")
            }
            linear.trainables.weight = try add(name + ".weight", tensor)
            linear.trainables.bias = try linear.bias.map { try add(name + ".bias", $0) }
        }
        fullParameters = parameters
        return parameters.keys.sorted().compactMap { parameters[$0] }
    }

    /// The output projection's trainable weight: lm_head's own, or the embedding when they are tied.
    var lmHeadParameter: TrainableParameter? {
        config.tieWordEmbeddings ? fullParameters["model.embed_tokens.weight"] : weights.lmHead.trainables.weight
    }
}
