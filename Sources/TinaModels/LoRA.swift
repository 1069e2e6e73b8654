import TinaCore
import TinaFormats

/// A LoRA adapter of one linear layer, applied unmerged: y = W x + b + scaling * B (A dropout(x)), with A [r, in]
/// and B [out, r] trainable f32 parameters; dropout only in training passes.
public final class LoRAAdapter: @unchecked Sendable {
    public let a: TrainableParameter
    public let b: TrainableParameter
    public let scaling: Float
    public var dropout: Float = 0
    public var rank: Int { a.value.shape[0] }

    public init(a: TrainableParameter, b: TrainableParameter, scaling: Float) throws {
        guard a.value.rank == 2, b.value.rank == 2, a.value.shape[0] == b.value.shape[1] else {
            throw TinaError.shapeMismatch(what: "LoRA A \(a.value.shape) and B", expected: [-1, a.value.shape.first ?? 0], actual: b.value.shape)
        }
        self.a = a
        self.b = b
        self.scaling = scaling
    }
}

/// Which dropout mask a training pass draws for one adapter call: a hash keyed by `seed`, one stream per
/// (step, layer, module), so the backward regenerates the forward's mask instead of storing it.
public struct LoRADropout: Sendable, Equatable {
    public var seed: UInt64
    public var step: UInt64
    public init(seed: UInt64, step: UInt64) {
        self.seed = seed
        self.step = step
    }
    func stream(layer: Int, module: Int) -> UInt64 { step << 24 | UInt64(layer) << 4 | UInt64(module) }
}

/// The trainable state of a `Linear`, by reference so it attaches to a loaded model without rebuilding it: a LoRA
/// adapter, or (full fine-tuning) parameters sharing the storage of the layer's own f32 weight and bias.
public final class LinearTrainables: @unchecked Sendable {
    public var adapter: LoRAAdapter?
    public var weight: TrainableParameter?
    public var bias: TrainableParameter?
    public init() {}
}

extension Linear {
    /// Adds scaling * (dropout(x) A^T) B^T into y when an adapter is attached and `enabled`; `dropout` names the
    /// mask of a training pass (nil: no dropout, as in inference).
    func applyAdapter(_ x: Tensor, into y: Tensor, on backend: any ComputeBackend, enabled: Bool,
                      dropout: (seed: UInt64, stream: UInt64)? = nil) throws {
        guard enabled, let adapter = trainables.adapter else { return }
        let rows = x.count / inFeatures
        let x2 = try adapter.input(x, rows: rows, on: backend, dropout: dropout), y2 = try y.reshaped([rows, outFeatures])
        let down = try backend.empty([rows, adapter.rank], dtype: .f32)
        try backend.matmul(x2, transposeA: false, adapter.a.value, transposeB: true, into: down, alpha: 1, accumulate: false)
        try backend.matmul(down, transposeA: false, adapter.b.value, transposeB: true, into: y2, alpha: adapter.scaling,
                           accumulate: true)
    }
}

extension LoRAAdapter {
    /// x [rows, in] as the adapter sees it: dropped out in a training pass with dropout, else x itself.
    func input(_ x: Tensor, rows: Int, on backend: any ComputeBackend, dropout: (seed: UInt64, stream: UInt64)?) throws -> Tensor {
        let x2 = try x.reshaped([rows, a.value.shape[1]])
        guard let dropout, self.dropout > 0 else { return x2 }
        let dropped = try backend.empty(x2.shape, dtype: .f32)
        try backend.dropout(x2, probability: self.dropout, seed: dropout.seed, stream: dropout.stream, into: dropped)
        return dropped
    }
}

extension DecoderModel {
    /// Every linear layer LoRA can target, under its Hugging Face module name ("model.layers.0.self_attn.q_proj").
    public var projections: [(name: String, linear: Linear)] {
        weights.layers.enumerated().flatMap { i, l -> [(String, Linear)] in
            let p = "model.layers.\(i)."
            return [(p + "self_attn.q_proj", l.qProj), (p + "self_attn.k_proj", l.kProj), (p + "self_attn.v_proj", l.vProj),
                    (p + "self_attn.o_proj", l.oProj), (p + "mlp.gate_proj", l.gateProj), (p + "mlp.up_proj", l.upProj),
                    (p + "mlp.down_proj", l.downProj)]
        }
    }

    /// Attaches a PEFT adapter (replacing any attached one). Every module it names must exist with matching shapes.
    public func attachLoRA(_ file: PEFTAdapterFile, source: String = "adapter") throws {
        let byName = Dictionary(uniqueKeysWithValues: projections.map { ($0.name, $0.linear) })
        var planned: [(Linear, LoRAAdapter)] = []
        for (module, (a, b)) in file.modules.sorted(by: { $0.key < $1.key }) {
            guard let linear = byName[module] else {
                throw TinaError.malformed(source: source, reason: "module '\(module)' is not a projection of this model")
            }
            guard a.shape == [file.config.rank, linear.inFeatures], b.shape == [linear.outFeatures, file.config.rank] else {
                throw TinaError.malformed(source: source, reason: "module '\(module)': lora_A \(a.shape) and lora_B \(b.shape) do not fit its \(linear.inFeatures) -> \(linear.outFeatures) projection at rank \(file.config.rank) (an adapter for another model?)")
            }
            let adapter = try LoRAAdapter(a: try TrainableParameter(name: module + ".lora_A.weight", value: a, backend: backend),
                                          b: try TrainableParameter(name: module + ".lora_B.weight", value: b, backend: backend),
                                          scaling: Float(file.config.scaling))
            adapter.dropout = Float(file.config.dropout)
            planned.append((linear, adapter))
        }
        detachLoRA()
        for (linear, adapter) in planned { linear.trainables.adapter = adapter }
        loraConfig = file.config
    }

    /// New adapters on every projection whose name ends with one of `config.targetModules`, initialized as PEFT
    /// does: A Kaiming-uniform (a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in))), B zero, so the model is unchanged.
    public func attachNewLoRA(_ config: PEFTAdapterConfig, seed: UInt64) throws {
        var modules: [String: (a: Tensor, b: Tensor)] = [:]
        for (index, (name, linear)) in projections.enumerated()
        where config.targetModules.contains(where: { name.hasSuffix("." + $0) }) {
            var rng = Philox(seed: seed, stream: UInt64(index))
            let bound = 1 / Float(linear.inFeatures).squareRoot()
            let a = (0..<(config.rank * linear.inFeatures)).map { _ in (rng.nextUniform() * 2 - 1) * bound }
            modules[name] = (try Tensor(shape: [config.rank, linear.inFeatures], values: a),
                             try Tensor(zeros: [linear.outFeatures, config.rank]))
        }
        guard !modules.isEmpty else {
            throw TinaError.invalidArgument("LoRA target modules \(config.targetModules) match no projection of this model")
        }
        try attachLoRA(PEFTAdapterFile(config: config, modules: modules), source: "new LoRA")
    }

    /// Copies an adapter file's A and B into the attached adapters of the same modules and shapes (resuming a
    /// run keeps the adapters' identity, so optimizer state stays attached to them).
    public func loadLoRAWeights(_ file: PEFTAdapterFile, source: String) throws {
        let byName = Dictionary(uniqueKeysWithValues: projections.map { ($0.name, $0.linear) })
        for (module, (a, b)) in file.modules {
            guard let adapter = byName[module]?.trainables.adapter else {
                throw TinaError.malformed(source: source, reason: "module '\(module)' has no attached adapter in this model")
            }
            guard a.shape == adapter.a.value.shape, b.shape == adapter.b.value.shape else {
                throw TinaError.shapeMismatch(what: "\(source): \(module) LoRA A/B", expected: adapter.a.value.shape, actual: a.shape)
            }
            try backend.copy(try backend.upload(a), into: adapter.a.value)
            try backend.copy(try backend.upload(b), into: adapter.b.value)
        }
    }

    public func detachLoRA() {
        for (_, linear) in projections { linear.trainables.adapter = nil }
        loraConfig = nil
    }

    /// The attached adapters' parameters, A then B per module in name order (what an optimizer updates).
    public var loraParameters: [TrainableParameter] {
        projections.sorted { $0.name < $1.name }.compactMap { $0.linear.trainables.adapter }.flatMap { [$0.a, $0.b] }
    }

    /// The attached adapters as a PEFT adapter (nil when none is attached).
    public func exportLoRA(baseModel: String? = nil) throws -> PEFTAdapterFile? {
        guard var config = loraConfig else { return nil }
        if let baseModel { config.baseModel = baseModel }
        var modules: [String: (a: Tensor, b: Tensor)] = [:]
        for (name, linear) in projections {
            guard let adapter = linear.trainables.adapter else { continue }
            modules[name] = (try Tensor(shape: adapter.a.value.shape, values: try backend.download(adapter.a.value)),
                             try Tensor(shape: adapter.b.value.shape, values: try backend.download(adapter.b.value)))
        }
        return PEFTAdapterFile(config: config, modules: modules)
    }
}
