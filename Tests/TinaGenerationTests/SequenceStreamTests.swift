import Foundation
import Testing
import TinaCore
import TinaGeneration

/// A sequence's draws depend only on (seed, request id, sample index) and its own logits: never on other
/// sequences sampled in between, their order or the thread that samples it.
@Suite struct SequenceStreamTests {
    static let vocab = 300

    /// The logits a fake model gives sequence `s` at step `t` (fixed, so only the sampler can make runs differ).
    static func row(sequence s: Int, step t: Int) -> [Float] {
        var rng = Philox(seed: 1234, stream: UInt64(s) << 16 | UInt64(t))
        return (0..<vocab).map { _ in 2 * rng.nextNormal() }
    }

    static func parameters() throws -> SamplingParameters {
        try SamplingParameters(temperature: 0.9, topK: 40, topP: 0.95, minP: 0.01, repetitionPenalty: 1.3,
                               presencePenalty: 0.5, frequencyPenalty: 0.25, seed: 42)
    }

    static let ids: [(request: UInt32, sample: UInt32)] = [(0, 0), (0, 1), (1, 0), (7, 3)]

    /// Samples every sequence for `steps` tokens, visiting them in `order(step)` at each step.
    static func run(steps: Int, order: (Int) -> [Int]) throws -> [[Int]] {
        let p = try parameters()
        var samplers = ids.map { SequenceSampler(parameters: p, requestID: $0.request, sampleIndex: $0.sample, prompt: [1, 2, 3]) }
        var out = [[Int]](repeating: [], count: ids.count)
        for t in 0..<steps {
            for s in order(t) {
                out[s].append(withRow(row(sequence: s, step: t)) { samplers[s].next($0, count: vocab) })
            }
        }
        return out
    }

    @Test func streamIsDerivedFromTheRequestAndSample() {
        var a = SequenceStreams.rng(seed: 5, requestID: 3, sampleIndex: 2)
        var b = Philox(seed: 5, stream: 3 << 32 | 2)
        for _ in 0..<16 { #expect(a.next32() == b.next32()) }
        // Swapping request and sample, or changing either, changes the stream.
        let firsts = [(3, 2), (2, 3), (3, 3), (4, 2)].map { pair -> UInt32 in
            var r = SequenceStreams.rng(seed: 5, requestID: UInt32(pair.0), sampleIndex: UInt32(pair.1))
            return r.next32()
        }
        #expect(Set(firsts).count == 4)
    }

    @Test func drawsDoNotDependOnOtherSequences() throws {
        let steps = 40
        // Each sequence alone.
        var alone: [[Int]] = []
        for s in 0..<Self.ids.count {
            alone.append(try Self.run(steps: steps) { _ in [s] }[s])
        }
        // All of them, in order, reversed, and in an order that changes every step.
        let forward = try Self.run(steps: steps) { _ in [0, 1, 2, 3] }
        let reversed = try Self.run(steps: steps) { _ in [3, 2, 1, 0] }
        let shuffled = try Self.run(steps: steps) { t in [[2, 0, 3, 1], [1, 3, 0, 2], [0, 2, 1, 3]][t % 3] }
        #expect(forward == alone)
        #expect(reversed == alone)
        #expect(shuffled == alone)
        // The sequences really are sampled (not all greedy, not all equal).
        #expect(Set(alone.flatMap { $0 }).count > 20)
        #expect(alone[0] != alone[1])
    }

    /// One thread per sequence gives the same tokens as the serial run.
    @Test func drawsDoNotDependOnThreads() throws {
        let steps = 30
        let serial = try Self.run(steps: steps) { _ in [0, 1, 2, 3] }
        let p = try Self.parameters()
        let results = ResultBox(count: Self.ids.count)
        DispatchQueue.concurrentPerform(iterations: Self.ids.count) { s in
            var sampler = SequenceSampler(parameters: p, requestID: Self.ids[s].request, sampleIndex: Self.ids[s].sample, prompt: [1, 2, 3])
            let tokens = (0..<steps).map { t in withRow(Self.row(sequence: s, step: t)) { sampler.next($0, count: Self.vocab) } }
            results.set(s, tokens)
        }
        #expect(results.values == serial)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[Int]]
    init(count: Int) { storage = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Int]) { lock.lock(); storage[i] = v; lock.unlock() }
    var values: [[Int]] { lock.lock(); defer { lock.unlock() }; return storage }
}
