import Testing
import TinaCore
import TinaTestSupport

/// The AVX512_BF16 small-product kernel against its scalar twin: every block shape (1-4 activation rows x 1-4
/// weight rows), K tails (masked loads), strided operands, and accumulation into y.
@Suite(.enabled(if: BF16SmallProduct.isAvailable, "this CPU lacks AVX512_BF16 (or the OS does not save zmm state)"))
struct BF16SmallProductTests {
    @Test(arguments: [1, 2, 3, 4, 5, 7, 16, 33, 64])
    func matchesScalarReference(rows m: Int) {
        for (n, k) in [(1, 1), (3, 31), (4, 32), (5, 33), (17, 100), (64, 576), (70, 1030)] {
            var rng = Philox(seed: UInt64(m * 1000 + n))
            // Operands inside wider rows (ldx = k + 3, ldw = k + 5) as panels of a packed matrix are.
            let ldx = k + 3, ldw = k + 5, ldy = n + 2
            let x = (0..<(m * ldx)).map { _ in HalfPrecision.floatToBF16(rng.nextUniform() - 0.5) }
            let w = (0..<(n * ldw)).map { _ in HalfPrecision.floatToBF16(rng.nextUniform() - 0.5) }
            let start = (0..<(m * ldy)).map { _ in rng.nextUniform() }
            let dense = { (v: [UInt16], rows: Int, ld: Int) in (0..<rows).flatMap { r in v[(r * ld)..<(r * ld + k)] } }
            let reference = ScalarReference.bf16Product(x: dense(x, m, ldx), w: dense(w, n, ldw), m: m, n: n, k: k)
            for accumulate in [false, true] {
                var y = start
                x.withUnsafeBufferPointer { xp in
                    w.withUnsafeBufferPointer { wp in
                        y.withUnsafeMutableBufferPointer { yp in
                            BF16SmallProduct.apply(x: xp.baseAddress!, ldx: ldx, w: wp.baseAddress!, ldw: ldw, y: yp.baseAddress!,
                                                   ldy: ldy, m: m, n: n, k: k, accumulate: accumulate)
                        }
                    }
                }
                var worst: Float = 0
                for r in 0..<m {
                    for c in 0..<n {
                        let expected = reference[r * n + c] + (accumulate ? start[r * ldy + c] : 0)
                        worst = max(worst, abs(y[r * ldy + c] - expected) / max(1, abs(expected)))
                    }
                    // Padding columns between rows of y are never written.
                    for c in n..<ldy { #expect(y[r * ldy + c] == start[r * ldy + c]) }
                }
                // f32 accumulation in another order than the f64 reference: ~k ulps of the partial sums at most.
                #expect(worst < 1e-5, "m \(m) n \(n) k \(k) accumulate \(accumulate): error \(worst)")
            }
        }
    }
}
