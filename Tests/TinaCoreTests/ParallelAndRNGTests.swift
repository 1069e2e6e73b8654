import Testing
import TinaCore

@Suite struct ParallelTests {
    @Test(arguments: [0, 1, 2, 7, 1000, 4097])
    func chunksCoverEveryIndexOnce(count: Int) {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        hits.initialize(repeating: 0, count: max(count, 1))
        defer { hits.deallocate() }
        let shared = UnsafeSendable(hits)
        Parallel.forChunks(of: count, minChunk: 1, threads: 3) { range in
            for i in range { shared.value[i] += 1 }
        }
        for i in 0..<count { #expect(hits[i] == 1) }
    }
}

/// The persistent worker pool under load: thousands of back-to-back loops, loops nested inside loops, and
/// several callers at once (the pool serves one; the others fall back to GCD). Every index is visited once.
@Suite struct WorkerPoolTests {
    static func sum(_ count: Int, nested: Bool = false) -> Int {
        let cells = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        cells.initialize(repeating: 0, count: max(count, 1))
        defer { cells.deallocate() }
        let shared = UnsafeSendable(cells)
        Parallel.forChunks(of: count, minChunk: 1) { range in
            for i in range {
                if nested && i == range.lowerBound {
                    // A loop inside a loop: must not wait on the pool it runs in.
                    shared.value[i] += sum(8) / 8
                } else {
                    shared.value[i] += 1
                }
            }
        }
        return (0..<count).reduce(0) { $0 + cells[$1] }
    }

    @Test func backToBackLoops() {
        for n in 0..<3000 { #expect(Self.sum(n % 37 + 1) == n % 37 + 1) }
    }

    @Test func nestedLoops() {
        for _ in 0..<200 { #expect(Self.sum(16, nested: true) == 16) }
    }

    @Test func concurrentCallers() async {
        await withTaskGroup(of: Bool.self) { group in
            for t in 0..<8 {
                group.addTask { (0..<300).allSatisfy { Self.sum(($0 + t) % 50 + 2) == ($0 + t) % 50 + 2 } }
            }
            for await ok in group { #expect(ok) }
        }
    }
}

@Suite struct PhiloxTests {
    /// Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds).
    @Test func knownAnswers() {
        let zero = Philox.block(counter: (0, 0, 0, 0), key: (0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = Philox.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = Philox.block(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    @Test func streamsAreDeterministicAndIndependent() {
        var a = Philox(seed: 42, stream: 1), b = Philox(seed: 42, stream: 1)
        var c = Philox(seed: 42, stream: 2), d = Philox(seed: 43, stream: 1)
        let sa = (0..<64).map { _ in a.next32() }
        #expect(sa == (0..<64).map { _ in b.next32() })
        #expect(sa != (0..<64).map { _ in c.next32() })
        #expect(sa != (0..<64).map { _ in d.next32() })
        var split = Philox(seed: 42).split(stream: 1)
        #expect(sa == (0..<64).map { _ in split.next32() })
    }

    @Test func drawsHaveTheRightDistribution() {
        var rng = Philox(seed: 7)
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0, minimum: Float = 1, maximum: Float = 0
        for _ in 0..<n {
            let u = rng.nextUniform()
            minimum = min(minimum, u); maximum = max(maximum, u)
            let z = Double(rng.nextNormal())
            sum += z; sumSquares += z * z
        }
        #expect(minimum >= 0 && maximum < 1)
        #expect(minimum < 0.001 && maximum > 0.999)
        let mean = sum / Double(n), variance = sumSquares / Double(n) - mean * mean
        // Standard errors: mean 1/sqrt(n) = 0.0022, variance sqrt(2/n) = 0.0032; allow ~5 of them.
        #expect(abs(mean) < 0.011)
        #expect(abs(variance - 1) < 0.016)
    }
}
