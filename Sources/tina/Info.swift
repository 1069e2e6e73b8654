import ArgumentParser
import Foundation
import TinaCore

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The CPU, its features, the thread policy and the kernel path of every product.",
        discussion: """
        Kernel paths are chosen at run time from CPUID bits: bf16 products run on oneDNN (AMX tiles, \
        AVX512_BF16 or AVX-512/AVX2 f32 on widened values, whichever the CPU has), f32 products on oneDNN's \
        sgemm, decode-sized products (1-3 rows over bf16 weights; up to 16 on the exact path) on Tina's SIMD GEMV. With --check every \
        path is run against a scalar reference (exit 1 on a mismatch). DNNL_MAX_CPU_ISA (e.g. AVX2) caps the \
        instruction set oneDNN may use, to check a lower path on this machine.
        """)

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Run every product path against the scalar reference.")
    var check = false

    struct Report: Encodable {
        var cpu: CPUInfo
        var features: [String]
        var bf16Hardware: String
        var threads: Int
        var threadPolicy: String
        var oneDNN: String
        var maxISA: String?
        var paths: [String: String]
        var checks: [ProductCheck.Case]?
    }

    func run() throws {
        let backend = CPUBackend.shared
        let cpu = CPUInfo.current
        var paths: [String: String] = [:]
        if OneDNN.isAvailable {
            // Kernel choice at the DeepSeek-R1-Distill-Qwen-1.5B MLP shape.
            let weight = try Tensor(zeros: [8960, 1536])
            let bf16 = try backend.matrix(weight, precision: .bf16), f32 = try backend.matrix(weight, precision: .f32)
            for m in [1, 4, 16, 2048] {
                paths["bf16 products, M=\(m)"] = backend.productKernel(rows: m, bf16) ?? "?"
                paths["f32 products, M=\(m)"] = backend.productKernel(rows: m, f32) ?? "?"
            }
            paths["bf16 input gradient, M=2048"] = backend.productKernel(rows: 2048, bf16, gradient: true) ?? "?"
            paths["f32 weight gradient"] = "onednn-sgemm"
        }
        var report = Report(
            cpu: cpu, features: cpu.features, bf16Hardware: cpu.bf16Hardware, threads: Parallel.threadCount,
            threadPolicy: "TINA_NUM_THREADS (\(Parallel.threadCount)) sizes Tina's worker pool and oneDNN's OpenMP team; idle OpenMP threads sleep (OMP_WAIT_POLICY=PASSIVE) so the two never spin against each other",
            oneDNN: OneDNN.isAvailable ? OneDNN.version : "unavailable: \(OneDNN.loadError)",
            maxISA: ProcessInfo.processInfo.environment["DNNL_MAX_CPU_ISA"], paths: paths, checks: nil)
        if check { report.checks = try ProductCheck.run(backend: backend) }
        if json {
            print(try jsonText(report))
        } else {
            print("cpu:        \(cpu.name), vendor \(cpu.vendor)")
            print("features:   \(cpu.features.joined(separator: " "))")
            print("bf16:       \(cpu.bf16Hardware)")
            print("oneDNN:     \(report.oneDNN)\(report.maxISA.map { " (DNNL_MAX_CPU_ISA=\($0))" } ?? "")")
            print("threads:    \(report.threadPolicy)")
            for key in paths.keys.sorted() { print("path:       \(key.padding(toLength: 28, withPad: " ", startingAt: 0)) \(paths[key] ?? "")") }
            for c in report.checks ?? [] {
                print(String(format: "check:      %@ %-40@ max rel error %.2e (tolerance %.0e) [%@]",
                             c.passed ? "ok  " : "FAIL", c.name, c.maxError, c.tolerance, c.kernel))
            }
        }
        if let checks = report.checks, checks.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
