import Testing
import TinaCore
import TinaModels

/// Every Linear storage and row count takes its own code path (GEMV, sgemm, bf16 widened in row blocks,
/// K-panel packed); all must give x W^T + b of the same (bf16-rounded) weights.
@Suite struct LinearTests {
    @Test(arguments: [1, 3, 4, 16, 17, 40])
    func allStoragesAgree(rows m: Int) throws {
        let (n, k) = (70, 4200)  // k > 4096: long rows, packable
        var rng = Philox(seed: 9)
        let w = try Tensor(shape: [n, k], values: (0..<(n * k)).map { _ in rng.nextUniform() - 0.5 })
        let rounded = try w.converted(to: .bf16).asFloat32()
        let bias = try Tensor(shape: [n], values: (0..<n).map { _ in rng.nextUniform() })
        let x = (0..<(m * k)).map { _ in rng.nextUniform() - 0.5 }
        let variants: [Linear.Storage] = [.f32(rounded), .bf16(try w.converted(to: .bf16)),
                                          .packedBF16(try PackedBF16Matrix(w, panelWidth: 1024))]
        var reference = [Float](repeating: 0, count: m * n)
        for r in 0..<m {
            for o in 0..<n {
                var s = Double(bias.floats[o])
                for i in 0..<k { s += Double(rounded.floats[o * k + i]) * Double(x[r * k + i]) }
                reference[r * n + o] = Float(s)
            }
        }
        for storage in variants {
            let linear = try Linear(storage: storage, bias: bias)
            var y = [Float](repeating: 0, count: m * n)
            linear.forward(x, rows: m, into: &y)
            #expect(maxScaledError(y, reference) < 1e-4, "\(storage)")
        }
        #expect(throws: TinaError.self) { try Linear(storage: .f32(rounded), bias: try Tensor(zeros: [n + 1])) }
    }
}
