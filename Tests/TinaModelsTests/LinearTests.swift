import Testing
import TinaCore
import TinaModels
import TinaTestSupport

/// Every weight layout, precision and row count takes its own path (GEMV, oneDNN sgemm, bf16 widened in row
/// blocks, oneDNN bf16 over plain or K-panel weights); all must give x W^T + b of the same bf16-rounded weights.
@Suite struct LinearTests {
    @Test(arguments: [1, 3, 4, 16, 17, 40])
    func allPathsAgree(rows m: Int) throws {
        let (n, k) = (70, 4200)  // k > 4096: long rows, stored in K panels
        var rng = Philox(seed: 9)
        let w = try Tensor(shape: [n, k], values: (0..<(n * k)).map { _ in rng.nextUniform() - 0.5 })
        let bf16 = try w.converted(to: .bf16)
        let rounded = try bf16.asFloat32()
        let bias = try Tensor(shape: [n], values: (0..<n).map { _ in rng.nextUniform() })
        let xValues = (0..<(m * k)).map { _ in rng.nextUniform() - 0.5 }
        let x = try Tensor(shape: [m, k], values: xValues)
        let roundedValues = try rounded.toArray(), biasValues = try bias.toArray()
        func reference(_ input: [Float]) -> [Float] {
            ScalarReference.gemv(roundedValues, n: n, k: k, x: input, rows: m, bias: biasValues)
        }
        let exact = reference(xValues)
        let bf16Input = reference(xValues.map { HalfPrecision.bf16ToFloat(HalfPrecision.floatToBF16($0)) })
        for backend in [CPUBackend.shared, CPUBackend.oneDNNOnly()] {
            for (weight, precision) in [(rounded, ComputePrecision.f32), (bf16, .f32), (bf16, .bf16), (rounded, .bf16)] {
                let linear = try Linear(weight: weight, bias: bias, backend: backend, precision: precision)
                let y = try Tensor(zeros: [m, n])
                try linear.forward(x, into: y, on: backend)
                let kernel = backend.productKernel(rows: m, linear.matrix) ?? ""
                // oneDNN's bf16 kernels round x to bf16 too; every other path multiplies f32 activations.
                let roundsInput = precision == .bf16 && !kernel.hasPrefix("tina-gemv") && !kernel.hasPrefix("onednn-sgemm")
                #expect(maxScaledError(try y.toArray(), roundsInput ? bf16Input : exact) < 1e-4,
                        "M=\(m) \(weight.dtype) weights, \(precision) products, gemvMaxRows \(backend.gemvMaxRows): \(kernel)")
            }
        }
        #expect(throws: TinaError.self) {
            try Linear(weight: rounded, bias: try Tensor(zeros: [n + 1]), backend: CPUBackend.shared, precision: .f32)
        }
    }
}
