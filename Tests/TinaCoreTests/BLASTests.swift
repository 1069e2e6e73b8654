import Testing
import TinaCore

@Suite struct BLASTests {
    @Test(arguments: [(1, 1, 1), (5, 7, 9), (33, 65, 17), (128, 96, 200)])
    func sgemmAllTransposes(m: Int, n: Int, k: Int) {
        let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2)
        let reference = ScalarReference.gemm(a, b, m: m, n: n, k: k)
        // Store transposed copies to exercise each flag.
        var aT = [Float](repeating: 0, count: m * k), bT = [Float](repeating: 0, count: k * n)
        for i in 0..<m { for p in 0..<k { aT[p * m + i] = a[i * k + p] } }
        for p in 0..<k { for j in 0..<n { bT[j * k + p] = b[p * n + j] } }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            var c = [Float](repeating: 0, count: m * n)
            BLAS.sgemm(m: m, n: n, k: k, a: ta ? aT : a, lda: ta ? m : k, transposeA: ta,
                       b: tb ? bT : b, ldb: tb ? k : n, transposeB: tb, c: &c, ldc: n)
            #expect(maxScaledError(c, reference) < 1e-5, "transposeA \(ta) transposeB \(tb)")
        }
    }

    @Test func sgemvAndLinear() throws {
        let (n, k) = (13, 29)
        let w = randomFloats(n * k, seed: 3), x = randomFloats(k, seed: 4)
        var y = [Float](repeating: 0, count: n)
        BLAS.sgemv(rows: n, columns: k, w: w, x: x, y: &y)
        #expect(maxScaledError(y, ScalarReference.gemv(w, n: n, k: k, x: x, rows: 1)) < 1e-5)

        let input = try Tensor(shape: [2, k], values: randomFloats(2 * k, seed: 5))
        let out = try Tensor(zeros: [2, n])
        try BLAS.linear(input, weight: Tensor(shape: [n, k], values: w), into: out)
        #expect(maxScaledError(try out.toArray(), ScalarReference.gemv(w, n: n, k: k, x: try input.toArray(), rows: 2)) < 1e-5)
        #expect(throws: TinaError.self) { try BLAS.linear(input, weight: Tensor(zeros: [n, k + 1]), into: out) }
    }

    @Test func reportsItsKernel() {
        #expect(!BLAS.coreName.isEmpty)
        #expect(BLAS.threadCount >= 1)
    }
}
