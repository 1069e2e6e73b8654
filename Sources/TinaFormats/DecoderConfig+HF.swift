import Foundation
import TinaCore

extension DecoderConfig {
    /// Reads a Hugging Face `config.json` of a Qwen2 or Llama model.
    public static func load(configPath path: String) throws -> DecoderConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TinaError.io(path: path, reason: "cannot read")
        }
        return try decode(json: data, source: path)
    }

    /// Decodes `config.json` bytes. Absent fields take transformers' defaults for the model type
    /// (Qwen2Config / LlamaConfig); `rope_parameters` (transformers 5) and `rope_scaling` (4.x) are both read.
    public static func decode(json data: Data, source: String) throws -> DecoderConfig {
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw TinaError.malformed(source: source, reason: "not a JSON object")
        }
        let fields = JSONFields(root: root, source: source)
        let modelType = try fields.string("model_type")
        guard let modelType else { throw TinaError.missing(source: source, what: "field 'model_type'") }
        let family: Family
        switch modelType {
        case "qwen2": family = .qwen2
        case "llama": family = .llama
        default:
            throw TinaError.unsupported(source: source, reason: "model_type '\(modelType)' (qwen2 and llama are supported)")
        }
        let isQwen = family == .qwen2
        let hidden = try fields.int("hidden_size") ?? 4096
        let heads = try fields.int("num_attention_heads") ?? 32
        let attentionBias = try fields.bool("attention_bias") ?? false
        var config = DecoderConfig(
            family: family,
            vocabSize: try fields.int("vocab_size") ?? (isQwen ? 151_936 : 32000),
            hiddenSize: hidden,
            intermediateSize: try fields.int("intermediate_size") ?? (isQwen ? 22016 : 11008),
            layerCount: try fields.int("num_hidden_layers") ?? 32,
            headCount: heads,
            kvHeadCount: try fields.int("num_key_value_heads") ?? heads,
            headDim: 0,
            rmsNormEps: try fields.double("rms_norm_eps") ?? 1e-6,
            ropeTheta: 10000,
            ropeScaling: nil,
            maxPositionEmbeddings: try fields.int("max_position_embeddings") ?? (isQwen ? 32768 : 2048),
            tieWordEmbeddings: try fields.bool("tie_word_embeddings") ?? false,
            qkvBias: isQwen ? true : attentionBias,
            outputBias: isQwen ? false : attentionBias,
            mlpBias: isQwen ? false : (try fields.bool("mlp_bias") ?? false),
            hiddenAct: try fields.string("hidden_act") ?? "silu",
            bosTokenId: try fields.int("bos_token_id") ?? (isQwen ? nil : 1),
            eosTokenIds: try fields.intList("eos_token_id") ?? (isQwen ? [] : [2]),
            storedDType: try fields.string("torch_dtype") ?? fields.string("dtype"))
        config.headDim = try fields.int("head_dim") ?? (heads > 0 ? hidden / heads : 0)
        guard config.hiddenAct == "silu" else {
            throw TinaError.unsupported(source: source, reason: "hidden_act '\(config.hiddenAct)' (only silu)")
        }
        try readRope(into: &config, fields: fields, root: root, source: source)
        try config.validate(source: source)
        return config
    }

    private static func readRope(into config: inout DecoderConfig, fields: JSONFields, root: [String: Any],
                                 source: String) throws {
        if let theta = try fields.double("rope_theta") { config.ropeTheta = theta }
        for key in ["rope_parameters", "rope_scaling"] {
            guard let value = root[key], !(value is NSNull) else { continue }
            guard let map = value as? [String: Any] else {
                throw TinaError.malformed(source: source, reason: "field '\(key)' is not an object")
            }
            let inner = JSONFields(root: map, source: source, prefix: key + ".")
            if let theta = try inner.double("rope_theta") { config.ropeTheta = theta }
            let kind = try inner.string("rope_type") ?? inner.string("type") ?? "default"
            if kind != "default" {
                config.ropeScaling = RopeScaling(kind: kind, factor: try inner.double("factor"))
            }
        }
    }
}

/// Typed, error-reporting access to the fields of one JSON object.
struct JSONFields {
    let root: [String: Any]
    let source: String
    var prefix = ""

    private func present(_ key: String) -> Any? {
        guard let value = root[key], !(value is NSNull) else { return nil }
        return value
    }

    func int(_ key: String) throws -> Int? {
        guard let value = present(key) else { return nil }
        guard let number = jsonInt(value) else {
            throw TinaError.malformed(source: source, reason: "field '\(prefix)\(key)' must be an integer, got \(value)")
        }
        return number
    }

    func double(_ key: String) throws -> Double? {
        guard let value = present(key) else { return nil }
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else {
            throw TinaError.malformed(source: source, reason: "field '\(prefix)\(key)' must be a number, got \(value)")
        }
        return number.doubleValue
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = present(key) else { return nil }
        guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else {
            throw TinaError.malformed(source: source, reason: "field '\(prefix)\(key)' must be true or false, got \(value)")
        }
        return number.boolValue
    }

    func string(_ key: String) throws -> String? {
        guard let value = present(key) else { return nil }
        guard let text = value as? String else {
            throw TinaError.malformed(source: source, reason: "field '\(prefix)\(key)' must be a string, got \(value)")
        }
        return text
    }

    /// An integer or a list of integers (as `eos_token_id` may be).
    func intList(_ key: String) throws -> [Int]? {
        guard let value = present(key) else { return nil }
        if let single = jsonInt(value) { return [single] }
        guard let list = value as? [Any] else {
            throw TinaError.malformed(source: source, reason: "field '\(prefix)\(key)' must be an integer or a list of integers")
        }
        return try list.map { item in
            guard let number = jsonInt(item) else {
                throw TinaError.malformed(source: source, reason: "field '\(prefix)\(key)' has a non-integer item \(item)")
            }
            return number
        }
    }
}
