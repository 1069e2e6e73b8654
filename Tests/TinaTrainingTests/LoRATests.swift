import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaModels
import TinaTestSupport

/// LoRA adapters made by PEFT 0.21.2 (Tests/Fixtures/training, tools/reference/make_training_fixtures.py): loaded
/// into Tina they give PEFT's logits with the adapter on and the base model's with it switched off; written back
/// they reload identically with PEFT's field and tensor names.
@Suite struct LoRATests {
    static let cases = ["qwen2-gqa2-lora", "llama-gqa4-untied-rslora"]

    struct Expected {
        let base: String
        let sequences: [[Int]]
        let logits: [[[Float]]]
        let logitsDisabled: [[[Float]]]
        let scaling: Double
        init(_ name: String) throws {
            let json = try readJSON(Paths.fixture("training/\(name)/expected.json"))
            func floats3(_ key: String) -> [[[Float]]] { (json[key] as? [[[Double]]] ?? []).map { $0.map { $0.map(Float.init) } } }
            base = json["base"] as? String ?? ""
            sequences = json["sequences"] as? [[Int]] ?? []
            logits = floats3("logits")
            logitsDisabled = floats3("logits_disabled")
            scaling = json["scaling"] as? Double ?? 0
        }
    }

    static func logits(_ model: DecoderModel, _ sequences: [[Int]]) throws -> [[[Float]]] {
        let cache = model.makeCache()
        let hidden = try model.forward(sequences.map { SequenceChunk(sequence: cache.newSequence(), tokens: $0) }, cache: cache)
        let all = try model.logits(hidden, rows: Array(0..<hidden.shape[0]))
        let vocab = model.config.vocabSize
        var row = 0
        return sequences.map { s in
            s.map { _ in
                defer { row += 1 }
                return Array(UnsafeBufferPointer(start: all.floats + row * vocab, count: vocab))
            }
        }
    }

    static func maxDifference(_ a: [[[Float]]], _ b: [[[Float]]]) -> Float {
        guard a.count == b.count else { return .infinity }
        var worst: Float = 0
        for (x, y) in zip(a, b) {
            guard x.count == y.count else { return .infinity }
            for (u, v) in zip(x, y) { worst = max(worst, maxScaledError(u, v)) }
        }
        return worst
    }

    @Test(arguments: cases)
    func peftAdapterGivesPEFTLogits(name: String) throws {
        let expected = try Expected(name)
        let model = try DecoderModel.load(path: Paths.fixture(expected.base), precision: .f32)
        let file = try PEFTAdapterFile.read(directory: Paths.fixture("training/\(name)/adapter"))
        #expect(abs(file.config.scaling - expected.scaling) < 1e-12)
        try model.attachLoRA(file)
        #expect(model.loraParameters.count == 2 * 7 * model.config.layerCount)
        #expect(Self.maxDifference(try Self.logits(model, expected.sequences), expected.logits) <= 1e-4)
        model.adaptersEnabled = false
        #expect(Self.maxDifference(try Self.logits(model, expected.sequences), expected.logitsDisabled) <= 1e-4)
        model.adaptersEnabled = true
        // The adapter changes the outputs (the fixture's B is non-zero): a test of the switch, not of a no-op.
        #expect(Self.maxDifference(expected.logits, expected.logitsDisabled) > 1e-2)

        // Written back in PEFT's format, read again, the same logits.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let exported = try #require(try model.exportLoRA(baseModel: expected.base))
        try exported.write(directory: directory + "/adapter")
        let config = try readJSON(directory + "/adapter/adapter_config.json")
        #expect(config["peft_type"] as? String == "LORA" && config["r"] as? Int == file.config.rank)
        #expect(config["use_rslora"] as? Bool == file.config.useRSLoRA)
        let reloaded = try DecoderModel.load(path: Paths.fixture(expected.base), precision: .f32)
        try reloaded.attachLoRA(try PEFTAdapterFile.read(directory: directory + "/adapter"))
        #expect(Self.maxDifference(try Self.logits(reloaded, expected.sequences), expected.logits) <= 1e-4)
        let original = try SafetensorsFile(path: Paths.fixture("training/\(name)/adapter/adapter_model.safetensors"))
        let written = try SafetensorsFile(path: directory + "/adapter/adapter_model.safetensors")
        #expect(Set(original.tensorNames) == Set(written.tensorNames))
    }

    @Test func newAdaptersStartAsTheBaseModel() throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/qwen2-gqa2"), precision: .f32)
        let sequences = [[1, 5, 9, 2], [7, 3]]
        let before = try Self.logits(model, sequences)
        try model.attachNewLoRA(PEFTAdapterConfig(rank: 8, alpha: 16, targetModules: ["q_proj", "v_proj", "down_proj"]), seed: 3)
        #expect(model.loraParameters.count == 2 * 3 * model.config.layerCount)
        #expect(Self.maxDifference(try Self.logits(model, sequences), before) == 0)
        let a = try #require(model.projections.first { $0.name.hasSuffix("q_proj") }?.linear.trainables.adapter?.a.value)
        let bound = 1 / Float(a.shape[1]).squareRoot()
        let values = try a.toArray()
        #expect(values.allSatisfy { abs($0) <= bound } && values.contains { abs($0) > bound / 2 })
    }

    @Test func unsupportedAdaptersAreClearErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = Paths.fixture("training/qwen2-gqa2-lora/adapter")
        try FileManager.default.copyItem(atPath: source + "/adapter_model.safetensors", toPath: directory + "/adapter_model.safetensors")
        for (patch, field) in [("\"use_dora\": true", "use_dora"), ("\"rank_pattern\": {\"q_proj\": 8}", "rank_pattern"),
                               ("\"bias\": \"all\"", "bias"), ("\"peft_type\": \"IA3\"", "peft_type")] {
            try Data("{\"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"], \(patch)}".utf8)
                .write(to: URL(fileURLWithPath: directory + "/adapter_config.json"))
            let message = errorText { _ = try PEFTAdapterFile.read(directory: directory) }
            #expect(message.contains(field), "\(field): \(message)")
        }
        // An adapter for another model: shapes name the module.
        let model = try DecoderModel.load(path: Paths.fixture("decoder/llama-gqa4-untied"), precision: .f32)
        let message = errorText { try model.attachLoRA(try PEFTAdapterFile.read(directory: source)) }
        #expect(message.contains("self_attn.k_proj") && message.contains("another model"), "\(message)")
    }
}
