import Foundation
import TinaCore

/// A PEFT LoRA adapter directory: `adapter_config.json` + `adapter_model.safetensors`, with PEFT's field and
/// tensor names (`base_model.model.<module>.lora_A.weight` [r, in], `...lora_B.weight` [out, r]). Features
/// Tina does not implement (DoRA, per-module ranks or alphas, trained biases, extra saved modules, fan-in-fan-out
/// layouts) are refused with the field that asks for them.
public struct PEFTAdapterConfig: Sendable, Equatable {
    public var rank: Int
    public var alpha: Double
    public var dropout: Double
    public var useRSLoRA: Bool
    /// Module name suffixes the adapter targets (e.g. "q_proj").
    public var targetModules: [String]
    public var baseModel: String?

    public init(rank: Int, alpha: Double, dropout: Double = 0, useRSLoRA: Bool = false, targetModules: [String],
                baseModel: String? = nil) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.useRSLoRA = useRSLoRA
        self.targetModules = targetModules
        self.baseModel = baseModel
    }

    /// alpha / r, or alpha / sqrt(r) with rsLoRA (PEFT's `scaling`).
    public var scaling: Double { useRSLoRA ? alpha / Double(rank).squareRoot() : alpha / Double(rank) }
}

public struct PEFTAdapterFile: Sendable {
    public static let configFileName = "adapter_config.json"
    public static let weightsFileName = "adapter_model.safetensors"
    static let prefix = "base_model.model."

    public var config: PEFTAdapterConfig
    /// Module name (e.g. "model.layers.0.self_attn.q_proj") -> (A [r, in], B [out, r]).
    public var modules: [String: (a: Tensor, b: Tensor)]

    public init(config: PEFTAdapterConfig, modules: [String: (a: Tensor, b: Tensor)]) {
        self.config = config
        self.modules = modules
    }

    public static func read(directory: String) throws -> PEFTAdapterFile {
        let configPath = directory + "/" + configFileName
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw TinaError.io(path: configPath, reason: "cannot read the adapter config (is this a PEFT adapter directory?)")
        }
        let config = try parseConfig(data, source: configPath)
        let weightsPath = directory + "/" + weightsFileName
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            throw TinaError.io(path: weightsPath, reason: "no such file (PEFT's .bin adapters are not supported; save with safetensors)")
        }
        let file = try SafetensorsFile(path: weightsPath)
        var a: [String: Tensor] = [:], b: [String: Tensor] = [:]
        for name in file.tensorNames {
            guard name.hasPrefix(prefix) else {
                throw TinaError.unsupported(source: weightsPath, reason: "tensor '\(name)' is not under '\(prefix)'")
            }
            let rest = String(name.dropFirst(prefix.count))
            let tensor = try file.tensor(name)
            if rest.hasSuffix(".lora_A.weight") {
                a[String(rest.dropLast(".lora_A.weight".count))] = tensor
            } else if rest.hasSuffix(".lora_B.weight") {
                b[String(rest.dropLast(".lora_B.weight".count))] = tensor
            } else {
                throw TinaError.unsupported(source: weightsPath, reason: "tensor '\(name)' is not a LoRA A/B matrix (only LoRA adapters are supported)")
            }
        }
        var modules: [String: (a: Tensor, b: Tensor)] = [:]
        for (module, aTensor) in a {
            guard let bTensor = b[module] else {
                throw TinaError.missing(source: weightsPath, what: "lora_B for module '\(module)'")
            }
            guard aTensor.rank == 2, bTensor.rank == 2, aTensor.shape[0] == config.rank, bTensor.shape[1] == config.rank else {
                throw TinaError.malformed(source: weightsPath, reason: "module '\(module)': lora_A \(aTensor.shape) and lora_B \(bTensor.shape) do not have rank r = \(config.rank)")
            }
            modules[module] = (try aTensor.asFloat32(), try bTensor.asFloat32())
        }
        if let orphan = b.keys.first(where: { a[$0] == nil }) {
            throw TinaError.missing(source: weightsPath, what: "lora_A for module '\(orphan)'")
        }
        guard !modules.isEmpty else { throw TinaError.malformed(source: weightsPath, reason: "the adapter holds no LoRA matrices") }
        return PEFTAdapterFile(config: config, modules: modules)
    }

    public static func parseConfig(_ data: Data, source: String) throws -> PEFTAdapterConfig {
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TinaError.malformed(source: source, reason: "not a JSON object")
        }
        func refuse(_ field: String, _ why: String) -> TinaError {
            TinaError.unsupported(source: source, reason: "field '\(field)': \(why)")
        }
        if let type = json["peft_type"] as? String, type != "LORA" { throw refuse("peft_type", "'\(type)' (only LORA is supported)") }
        guard let rank = json["r"] as? Int, rank > 0, rank <= 4096 else {
            throw TinaError.malformed(source: source, reason: "field 'r' must be a positive integer")
        }
        guard let alpha = (json["lora_alpha"] as? NSNumber)?.doubleValue, alpha.isFinite else {
            throw TinaError.malformed(source: source, reason: "field 'lora_alpha' must be a number")
        }
        if json["use_dora"] as? Bool == true { throw refuse("use_dora", "DoRA is not supported") }
        if json["fan_in_fan_out"] as? Bool == true { throw refuse("fan_in_fan_out", "transposed (Conv1D) weights are not supported") }
        if let bias = json["bias"] as? String, bias != "none" { throw refuse("bias", "'\(bias)' (trained biases are not supported)") }
        if json["lora_bias"] as? Bool == true { throw refuse("lora_bias", "LoRA biases are not supported") }
        for field in ["rank_pattern", "alpha_pattern"] {
            if let pattern = json[field] as? [String: Any], !pattern.isEmpty { throw refuse(field, "per-module ranks and alphas are not supported") }
        }
        if let saved = json["modules_to_save"] as? [Any], !saved.isEmpty { throw refuse("modules_to_save", "extra saved modules are not supported") }
        let targets: [String]
        if let list = json["target_modules"] as? [String] {
            targets = list
        } else if let single = json["target_modules"] as? String {
            targets = [single]
        } else {
            throw TinaError.malformed(source: source, reason: "field 'target_modules' must be a list of module names")
        }
        return PEFTAdapterConfig(rank: rank, alpha: alpha, dropout: (json["lora_dropout"] as? NSNumber)?.doubleValue ?? 0,
                                 useRSLoRA: json["use_rslora"] as? Bool ?? false, targetModules: targets.sorted(),
                                 baseModel: json["base_model_name_or_path"] as? String)
    }

    /// Writes the directory (created if missing) with PEFT's fields, f32 tensors; each file atomically.
    public func write(directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TinaError.io(path: directory, reason: "cannot create the adapter directory")
        }
        var tensors: [(name: String, tensor: Tensor)] = []
        for module in modules.keys.sorted() {
            guard let (a, b) = modules[module] else { continue }
            tensors.append((Self.prefix + module + ".lora_A.weight", a))
            tensors.append((Self.prefix + module + ".lora_B.weight", b))
        }
        try SafetensorsWriter.write(tensors, to: directory + "/" + Self.weightsFileName)
        let c = config
        var fields: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": c.rank, "lora_alpha": c.alpha, "lora_dropout": c.dropout,
            "use_rslora": c.useRSLoRA, "target_modules": c.targetModules, "bias": "none", "fan_in_fan_out": false,
            "use_dora": false, "inference_mode": true, "init_lora_weights": true, "rank_pattern": [String: Int](),
            "alpha_pattern": [String: Int](), "modules_to_save": NSNull(), "layers_to_transform": NSNull(),
            "layers_pattern": NSNull(), "revision": NSNull(),
        ]
        fields["base_model_name_or_path"] = c.baseModel ?? NSNull()
        let data = try JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys])
        let writer = try AtomicFileWriter(path: directory + "/" + Self.configFileName)
        try writer.write(Array(data))
        try writer.commit()
    }
}
