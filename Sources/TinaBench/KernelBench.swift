import TinaCore

/// Element-wise and reduction kernels of the decoder at the real model's sizes.
public struct KernelResult: Codable, Sendable {
    public var kernel: String
    public var elements: Int
    public var seconds: Double
    /// Bytes read plus written per call, divided by the time.
    public var gbps: Double
    public var nsPerElement: Double
}

public enum KernelBench {
    public static func run(hidden: Int, intermediate: Int, vocab: Int, headDim: Int, heads: Int,
                           progress: (String) -> Void = { _ in }) -> [KernelResult] {
        var rng = Philox(seed: 3)
        let tokens = 64
        let big = max(hidden * tokens, intermediate, vocab)
        let a = randomBuffer(big, &rng), b = randomBuffer(big, &rng), c = randomBuffer(big, &rng)
        let weight = randomBuffer(hidden, &rng)
        let bits = UnsafeMutablePointer<UInt16>.allocate(capacity: big)
        defer { a.deallocate(); b.deallocate(); c.deallocate(); weight.deallocate(); bits.deallocate() }
        HalfPrecision.floatToBF16(a, bits, count: big)
        var results: [KernelResult] = []
        func measure(_ name: String, elements: Int, bytes: Int, _ body: () -> Void) {
            let seconds = Stopwatch.best(minSeconds: 0.2, minRuns: 20, maxRuns: 100_000, body)
            let result = KernelResult(kernel: name, elements: elements, seconds: seconds,
                                      gbps: Double(bytes) / seconds / 1e9, nsPerElement: seconds * 1e9 / Double(elements))
            progress(String(format: "kernel %-36@ %9d elements  %9.2f us  %6.1f GB/s  %6.3f ns/element",
                            name, elements, seconds * 1e6, result.gbps, result.nsPerElement))
            results.append(result)
        }
        measure("dot f32 (\(hidden))", elements: hidden, bytes: 8 * hidden) {
            c[0] = Dot.f32(a, b, count: hidden)
        }
        measure("rmsnorm (\(tokens) x \(hidden))", elements: tokens * hidden, bytes: 8 * tokens * hidden) {
            RMSNorm.apply(a, weight: weight, eps: 1e-6, rows: tokens, dim: hidden, output: c)
        }
        let cosSin = randomBuffer(headDim, &rng)
        defer { cosSin.deallocate() }
        measure("rope (\(heads) heads x \(headDim))", elements: heads * headDim, bytes: 8 * heads * headDim) {
            RoPE.apply(c, heads: heads, headDim: headDim, cos: cosSin, sin: cosSin + headDim / 2)
        }
        measure("swiglu (\(intermediate))", elements: intermediate, bytes: 12 * intermediate) {
            SwiGLU.apply(gate: a, up: b, output: c, count: intermediate)
        }
        measure("softmax (\(vocab))", elements: vocab, bytes: 8 * vocab) {
            Softmax.apply(a, count: vocab, output: c)
        }
        measure("logsumexp (\(vocab))", elements: vocab, bytes: 4 * vocab) {
            c[0] = Softmax.logSumExp(a, count: vocab)
        }
        measure("add (\(tokens) x \(hidden))", elements: tokens * hidden, bytes: 12 * tokens * hidden) {
            Elementwise.add(a, into: c, count: tokens * hidden)
        }
        measure("bf16 -> f32 (\(vocab))", elements: vocab, bytes: 6 * vocab) {
            HalfPrecision.bf16ToFloat(bits, c, count: vocab)
        }
        measure("f32 -> bf16 (\(vocab))", elements: vocab, bytes: 6 * vocab) {
            HalfPrecision.floatToBF16(a, bits, count: vocab)
        }
        return results
    }
}
