import Foundation
import TinaCore
import TinaModels

/// One prompt to complete `samples` times (GRPO's G, eval's n). `id` is the caller's identifier: it names the
/// request's random streams (sample s of request id draws from stream (id, s)), so a completion does not depend on
/// what else is in the batch.
public struct RolloutRequest: Sendable {
    public var id: Int
    public var prompt: [Int]
    public var samples: Int
    /// The index of the first sample: samples firstSample..<firstSample + samples are drawn (a resumed evaluation
    /// asks only for the ones it misses, each still from its own stream).
    public var firstSample: Int
    public var parameters: SamplingParameters

    public init(id: Int, prompt: [Int], samples: Int = 1, firstSample: Int = 0, parameters: SamplingParameters) {
        self.id = id
        self.prompt = prompt
        self.samples = samples
        self.firstSample = firstSample
        self.parameters = parameters
    }
}

/// Why a completion ended: a stop token or stop string (`stop`), `maxNewTokens` (`length`), or the model's
/// context (`context`).
public enum FinishReason: String, Sendable, Codable {
    case stop, length, context
}

/// One finished sample.
public struct RolloutCompletion: Sendable {
    /// Index of the request in the array given to `run`.
    public var requestIndex: Int
    public var requestID: Int
    public var sample: Int
    /// The generated tokens, the stop token included.
    public var tokens: [Int]
    /// `tokens` through the engine's `decode`.
    public var text: String
    /// log p(token) under the raw model (no temperature, penalties or truncation): GRPO's "old" log-probs.
    public var logProbs: [Float]
    public var finishReason: FinishReason
    public var promptTokens: Int
}

/// Where a run stands, reported after every decode step.
public struct RolloutProgress: Sendable {
    public var completed: Int
    public var total: Int
    public var activeSequences: Int
    public var promptTokens: Int
    public var generatedTokens: Int
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    public var elapsed: Double

    /// Generated tokens per second of decode time.
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(generatedTokens) / decodeSeconds : 0 }
    /// Remaining time, extrapolated from the completions so far.
    public var etaSeconds: Double { completed > 0 ? elapsed / Double(completed) * Double(total - completed) : 0 }
}

/// The batched generator behind rollouts, `tina eval` and `tina generate --n`: continuous batching over a fixed
/// number of slots, one forward per step for every active sequence (one product per projection over all rows),
/// per-sequence stops and random streams, and each prompt prefilled once for all of its samples.
///
/// Scheduling: samples are admitted in request order while a slot is free and the KV budget holds the sample's
/// whole reservation (prompt + max new tokens, capped by the context); a finished sample frees its slot and
/// memory at once, so long completions do not hold short ones back. A sample that cannot fit even alone is an
/// error before anything runs, never an out-of-memory crash mid-way.
public final class RolloutEngine {
    public let model: DecoderModel
    public let stopTokens: Set<Int>
    public let maxSlots: Int
    public let cacheBytes: Int
    let decode: @Sendable ([Int]) -> String

    public init(model: DecoderModel, stopTokens: Set<Int>, decode: @escaping @Sendable ([Int]) -> String,
                maxSlots: Int = 32, cacheBytes: Int = 4 << 30) {
        self.model = model
        self.stopTokens = stopTokens
        self.decode = decode
        self.maxSlots = max(1, maxSlots)
        self.cacheBytes = cacheBytes
    }

    /// One running sample.
    struct Slot {
        let request: Int
        let sample: Int
        let sequence: Int
        let promptLength: Int
        var sampler: SequenceSampler
        var tokens: [Int] = []
        var logProbs: [Float] = []
        var finish: FinishReason?
    }

    /// A request whose prompt is prefilled, kept until its last sample has forked from it.
    struct Prefix {
        let sequence: Int
        /// The prompt's last-position logits (vocab floats): every sample's first token is drawn from them.
        var logits: [Float] = []
        var samplesLeft: Int
    }

    /// Completes every request; completions come back ordered by (request, sample) and are also handed to
    /// `onCompletion` as they finish.
    public func run(_ requests: [RolloutRequest], onProgress: ((RolloutProgress) -> Void)? = nil,
                    onCompletion: ((RolloutCompletion) throws -> Void)? = nil) throws -> [RolloutCompletion] {
        let cache = model.makeCache(maxBytes: cacheBytes)
        let vocab = model.config.vocabSize
        for r in requests {
            guard !r.prompt.isEmpty else { throw TinaError.invalidArgument("request \(r.id) has an empty prompt") }
            guard r.samples > 0, r.firstSample >= 0 else { throw TinaError.invalidArgument("request \(r.id) asks for \(r.samples) samples from \(r.firstSample)") }
            try r.parameters.validate(vocabSize: vocab)
            let context = model.config.maxPositionEmbeddings
            if context > 0 && r.prompt.count >= context {
                throw TinaError.invalidArgument("request \(r.id): the prompt has \(r.prompt.count) tokens, the model's context is \(context)")
            }
            // The prefix and one sample must fit together.
            let need = cache.bytes(positions: r.prompt.count) + cache.bytes(positions: ownPositions(r))
            guard need <= cacheBytes else {
                throw TinaError.invalidArgument("request \(r.id) needs \(need) bytes of KV cache (prompt \(r.prompt.count) + up to \(r.parameters.maxNewTokens) new tokens), over the budget of \(cacheBytes) bytes; lower max new tokens or raise the budget")
            }
        }
        let total = requests.reduce(0) { $0 + $1.samples }
        var results = requests.map { [RolloutCompletion?](repeating: nil, count: $0.samples) }
        var progress = RolloutProgress(completed: 0, total: total, activeSequences: 0, promptTokens: 0, generatedTokens: 0,
                                       prefillSeconds: 0, decodeSeconds: 0, elapsed: 0)
        let started = Date()
        var nextRequest = 0, nextSample = 0
        var prefixes: [Int: Prefix] = [:]
        var slots: [Slot] = []

        func finish(_ slot: Slot) throws {
            cache.release(slot.sequence)
            let r = requests[slot.request]
            let completion = RolloutCompletion(requestIndex: slot.request, requestID: r.id, sample: r.firstSample + slot.sample, tokens: slot.tokens,
                                               text: decode(slot.tokens), logProbs: slot.logProbs,
                                               finishReason: slot.finish ?? .length, promptTokens: r.prompt.count)
            results[slot.request][slot.sample] = completion
            progress.completed += 1
            try onCompletion?(completion)
        }

        while progress.completed < total {
            // Admit samples in order while slots and memory allow; a new request's prompt is prefilled first.
            var admitted: [(request: Int, sample: Int)] = []
            var toPrefill: [Int] = []
            var pendingBytes = 0
            while slots.count + admitted.count < maxSlots, nextRequest < requests.count {
                let r = requests[nextRequest]
                let prefixBytes = prefixes[nextRequest] == nil ? cache.bytes(positions: r.prompt.count) : 0
                let need = prefixBytes + cache.bytes(positions: ownPositions(r))
                if cache.bytesReserved + pendingBytes + need > cacheBytes { break }
                if prefixes[nextRequest] == nil {
                    let sequence = cache.newSequence()
                    try cache.reserve(sequence, positions: r.prompt.count)
                    prefixes[nextRequest] = Prefix(sequence: sequence, samplesLeft: r.samples)
                    toPrefill.append(nextRequest)
                }
                pendingBytes += cache.bytes(positions: ownPositions(r))
                admitted.append((nextRequest, nextSample))
                nextSample += 1
                if nextSample == r.samples { nextSample = 0; nextRequest += 1 }
            }
            if !toPrefill.isEmpty {
                let t0 = Date()
                let chunks = try toPrefill.map { request -> SequenceChunk in
                    guard let prefix = prefixes[request] else { throw TinaError.invalidArgument("internal: request \(request) has no prefix") }
                    return SequenceChunk(sequence: prefix.sequence, tokens: requests[request].prompt)
                }
                let hidden = try model.forward(chunks, cache: cache)
                var lastRows: [Int] = [], row = -1
                for chunk in chunks { row += chunk.tokens.count; lastRows.append(row) }
                let logits = try model.backend.download(try model.logits(hidden, rows: lastRows))
                for (i, request) in toPrefill.enumerated() {
                    prefixes[request]?.logits = Array(logits[(i * vocab)..<((i + 1) * vocab)])
                    progress.promptTokens += requests[request].prompt.count
                }
                progress.prefillSeconds += Date().timeIntervalSince(t0)
            }
            // Each admitted sample forks its prompt's cache (sharing the prompt's rows) and draws its first token from
            // the prompt's logits.
            for (request, sample) in admitted {
                let r = requests[request]
                guard var prefix = prefixes[request] else { throw TinaError.invalidArgument("internal: request \(r.id) has no prefix") }
                let sequence = try cache.fork(prefix.sequence, reserving: reservation(r))
                var slot = Slot(request: request, sample: sample, sequence: sequence, promptLength: r.prompt.count,
                                sampler: SequenceSampler(parameters: r.parameters, requestID: UInt32(truncatingIfNeeded: r.id),
                                                         sampleIndex: UInt32(truncatingIfNeeded: r.firstSample + sample), prompt: r.prompt))
                prefix.logits.withUnsafeBufferPointer { take(&slot, logits: $0.baseAddress!) }
                progress.generatedTokens += 1
                prefix.samplesLeft -= 1
                if prefix.samplesLeft == 0 {
                    cache.release(prefix.sequence)
                    prefixes[request] = nil
                } else {
                    prefixes[request] = prefix
                }
                if slot.finish != nil { try finish(slot) } else { slots.append(slot) }
            }
            if slots.isEmpty {
                guard !admitted.isEmpty || progress.completed == total else {
                    throw TinaError.invalidArgument("internal: the rollout scheduler could admit nothing within \(cacheBytes) bytes")
                }
                continue
            }
            // One decode step for every active sequence.
            let t0 = Date()
            let chunks = slots.map { SequenceChunk(sequence: $0.sequence, tokens: [$0.tokens[$0.tokens.count - 1]]) }
            let hidden = try model.forward(chunks, cache: cache)
            let logits = try model.logits(hidden, rows: Array(0..<slots.count))
            try withHostFloats(logits) { base in
                OpProfile.measure("sampling (rollout)") {
                    for i in slots.indices { take(&slots[i], logits: base + i * vocab) }
                }
            }
            progress.generatedTokens += slots.count
            progress.decodeSeconds += Date().timeIntervalSince(t0)
            var running: [Slot] = []
            for slot in slots {
                if slot.finish != nil { try finish(slot) } else { running.append(slot) }
            }
            slots = running
            progress.activeSequences = slots.count
            progress.elapsed = Date().timeIntervalSince(started)
            onProgress?(progress)
        }
        progress.activeSequences = 0
        progress.elapsed = Date().timeIntervalSince(started)
        onProgress?(progress)
        return results.flatMap { $0.compactMap { $0 } }
    }

    /// Positions a sample of `r` may occupy: prompt plus max new tokens, capped by the context.
    /// Positions a sample adds to its shared prompt.
    func ownPositions(_ r: RolloutRequest) -> Int { reservation(r) - r.prompt.count }

    func reservation(_ r: RolloutRequest) -> Int {
        let wanted = r.prompt.count + r.parameters.maxNewTokens
        let context = model.config.maxPositionEmbeddings
        return context > 0 ? min(wanted, context) : wanted
    }

    /// Reads a logits tensor on the host: CPU tensors in place, others through `download`.
    private func withHostFloats(_ t: Tensor, _ body: (UnsafePointer<Float>) throws -> Void) throws {
        if t.device == .cpu { return try body(t.floats) }
        let host = try model.backend.download(t)
        try host.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Samples the next token of `slot` from its logits row, records its raw log-prob and decides whether the
    /// sample is done.
    private func take(_ slot: inout Slot, logits: UnsafePointer<Float>) {
        let vocab = model.config.vocabSize
        let token = slot.sampler.next(logits, count: vocab)
        slot.tokens.append(token)
        slot.logProbs.append(logits[token] - Softmax.logSumExp(logits, count: vocab))
        let p = slot.sampler.chain.parameters
        let context = model.config.maxPositionEmbeddings
        if stopTokens.contains(token) || p.stopTokenIDs.contains(token) {
            slot.finish = .stop
        } else if !p.stopStrings.isEmpty, containsStopString(slot.tokens, p.stopStrings) {
            slot.finish = .stop
        } else if slot.tokens.count >= p.maxNewTokens {
            slot.finish = .length
        } else if context > 0 && slot.promptLength + slot.tokens.count >= context {
            slot.finish = .context
        }
    }

    /// Whether the decoded tail of `tokens` contains a stop string (one spanning several tokens included: a stop
    /// string of n UTF-8 bytes spans at most n tokens that each decode to at least one byte).
    func containsStopString(_ tokens: [Int], _ stops: [String]) -> Bool {
        let window = (stops.map(\.utf8.count).max() ?? 0) + 8
        let tail = decode(Array(tokens.suffix(window)))
        return stops.contains { tail.contains($0) }
    }
}
