import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaModels

@Suite struct DecoderBehaviorTests {
    static let model = "qwen2-gqa2"

    func lastLogits(_ model: DecoderModel, _ cache: KVCache, _ sequence: Int, _ tokens: [Int]) throws -> [Float] {
        let hidden = try model.forward([SequenceChunk(sequence: sequence, tokens: tokens)], cache: cache)
        return try model.logits(hidden, rows: [tokens.count - 1]).toArray()
    }

    @Test func forkAndTruncateReproduceTheSameContinuation() throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(Self.model)"))
        let cache = model.makeCache()
        let prompt = [5, 17, 3, 42, 8]
        let a = cache.newSequence()
        _ = try lastLogits(model, cache, a, prompt)
        let b = try cache.fork(a)
        #expect(try cache.length(of: b) == prompt.count)
        let fromA = try lastLogits(model, cache, a, [9])
        let fromB = try lastLogits(model, cache, b, [9])
        #expect(fromA == fromB)
        // Roll a back and take a different token: same as a fresh sequence with that prompt.
        try cache.truncate(a, to: prompt.count)
        let rolled = try lastLogits(model, cache, a, [11])
        let fresh = try lastLogits(model, cache, cache.newSequence(), prompt + [11])
        #expect(maxScaledError(rolled, fresh) < 1e-5)
        #expect(throws: TinaError.self) { try cache.truncate(a, to: 99) }
        cache.release(b)
        #expect(throws: TinaError.self) { try cache.length(of: b) }
    }

    /// A fork reads its parent's rows in place: it reserves only the positions it adds, continues exactly as a
    /// copy would (one token: the decode kernel; several: the tile path over a split cache), keeps working after
    /// the parent is released, and its parent's memory goes with the last fork.
    @Test(arguments: [WeightPrecision.f32, .bf16])
    func forksSharePromptRowsWithoutCopies(precision: WeightPrecision) throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(Self.model)"), precision: precision)
        let cache = model.makeCache()
        let prompt = Array(0..<40).map { ($0 * 7 + 3) % model.config.vocabSize }
        let parent = cache.newSequence()
        _ = try lastLogits(model, cache, parent, prompt)
        let afterPrompt = cache.bytesReserved
        let fork = try cache.fork(parent, reserving: prompt.count + 8)
        #expect(cache.bytesReserved - afterPrompt == cache.bytes(positions: 8), "the fork copied the prompt")
        // The same continuation through a fork, a fork of a fork (a copy) and a fresh sequence given the prompt again.
        let copy = try cache.fork(fork)
        let fresh = cache.newSequence()
        _ = try lastLogits(model, cache, fresh, prompt)
        for tokens in [[9], [4, 11, 2]] {
            let expected = try lastLogits(model, cache, fresh, tokens)
            #expect(try lastLogits(model, cache, fork, tokens) == expected, "fork, \(tokens.count) tokens")
            #expect(try lastLogits(model, cache, copy, tokens) == expected, "fork of a fork, \(tokens.count) tokens")
        }
        // Rolling back into shared positions would change what the fork reads.
        #expect(throws: TinaError.self) { try cache.truncate(parent, to: 10) }
        #expect(throws: TinaError.self) { try cache.truncate(fork, to: 10) }
        try cache.truncate(fork, to: prompt.count)
        try cache.truncate(fresh, to: prompt.count)
        let reference = try lastLogits(model, cache, fresh, [9])
        cache.release(parent)
        cache.release(copy)
        cache.release(fresh)
        #expect(try lastLogits(model, cache, fork, [9]) == reference, "a fork outlives its released parent")
        for id in cache.sequenceIDs { cache.release(id) }
        cache.release(fork)
        #expect(cache.bytesReserved == 0, "the parent's rows were not freed with its last fork")
    }

    /// bf16 compute caches keys and values in bf16 (half the bytes per position); its cached decode equals its own
    /// uncached prefill closely, and the exact path keeps f32.
    @Test func bf16ComputeCachesBF16() throws {
        let exact = try DecoderModel.load(path: Paths.fixture("decoder/\(Self.model)"), precision: .f32)
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(Self.model)"), precision: .bf16)
        #expect(exact.makeCache().dtype == .f32)
        let cache = model.makeCache()
        #expect(cache.dtype == .bf16)
        #expect(cache.bytesPerPosition * 2 == exact.makeCache().bytesPerPosition)
        let prompt = [5, 17, 3, 42, 8, 61, 2]
        let s = cache.newSequence()
        _ = try lastLogits(model, cache, s, prompt)
        let forked = try cache.fork(s)
        let cached = try lastLogits(model, cache, forked, [9])
        let f32Cache = model.makeCache(dtype: .f32)
        let uncached = try lastLogits(model, f32Cache, f32Cache.newSequence(), prompt + [9])
        #expect(cached != uncached, "keys and values were not rounded")
        #expect(maxScaledError(cached, uncached) < 2e-2)
    }

    @Test func cacheBudgetIsEnforced() throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(Self.model)"))
        let cache = model.makeCache(maxBytes: 20 * model.makeCache().bytesPerPosition)
        let s = cache.newSequence()
        _ = try model.forward([SequenceChunk(sequence: s, tokens: Array(0..<16))], cache: cache)
        let message = errorText { _ = try model.forward([SequenceChunk(sequence: s, tokens: Array(0..<8))], cache: cache) }
        #expect(message.contains("KV cache budget"), "got: \(message)")
        #expect(cache.bytesReserved <= cache.maxBytes)
    }

    @Test func badInputsAreErrors() throws {
        let model = try DecoderModel.load(path: Paths.fixture("decoder/\(Self.model)"))
        let cache = model.makeCache()
        let s = cache.newSequence()
        #expect(errorText { _ = try model.forward([SequenceChunk(sequence: s, tokens: [96])], cache: cache) }.contains("outside the vocabulary"))
        #expect(errorText { _ = try model.forward([SequenceChunk(sequence: 999, tokens: [1])], cache: cache) }.contains("unknown KV cache sequence"))
        #expect(errorText { _ = try model.forward([], cache: cache) }.contains("at least one token"))
        #expect(errorText { _ = try model.forward([SequenceChunk(sequence: s, tokens: [1]), SequenceChunk(sequence: s, tokens: [2])], cache: cache) }.contains("twice"))
    }

    /// Copies the fixture model, lets `edit` change its tensors or config, and returns the load error.
    func loadError(edit: (inout [(name: String, tensor: Tensor)], inout String) throws -> Void) throws -> String {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = Paths.fixture("decoder/\(Self.model)")
        let file = try SafetensorsFile(path: source + "/model.safetensors")
        var tensors = try file.tensorNames.map { (name: $0, tensor: try file.tensor($0)) }
        var config = try String(contentsOfFile: source + "/config.json", encoding: .utf8)
        try edit(&tensors, &config)
        try SafetensorsWriter.write(tensors, to: dir + "/model.safetensors")
        try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        return errorText { _ = try DecoderModel.load(path: dir) }
    }

    @Test func badCheckpointsNameTheTensor() throws {
        let missing = try loadError { tensors, _ in tensors.removeAll { $0.name == "model.layers.1.mlp.up_proj.weight" } }
        #expect(missing.contains("model.layers.1.mlp.up_proj.weight") && missing.contains("missing"), "got: \(missing)")

        let wrongShape = try loadError { tensors, _ in
            let i = try #require(tensors.firstIndex { $0.name == "model.layers.0.self_attn.k_proj.weight" })
            tensors[i].tensor = try Tensor(zeros: [7, 48])
        }
        #expect(wrongShape.contains("model.layers.0.self_attn.k_proj.weight") && wrongShape.contains("[7, 48]"), "got: \(wrongShape)")

        let mismatch = try loadError { _, config in
            config = config.replacingOccurrences(of: "\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 3")
        }
        #expect(mismatch.contains("model.layers.2."), "got: \(mismatch)")

        let rope = try loadError { _, config in
            config = config.replacingOccurrences(of: "\"rope_type\": \"default\"", with: "\"rope_type\": \"yarn\", \"factor\": 4.0")
        }
        #expect(rope.contains("rope scaling 'yarn'"), "got: \(rope)")
    }
}
