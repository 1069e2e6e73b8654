// swift-tools-version:6.0
import PackageDescription

// SIMD code needs a target CPU: without one swiftc emits baseline x86-64 and SIMD kernels run ~50x slower
// (see shared/reference/machine.md). `haswell` (AVX2 + FMA + F16C) is the portable default;
// `TINA_TARGET_CPU=native make build` opts into this machine's full instruction set (AVX-512 here).
let targetCPU = Context.environment["TINA_TARGET_CPU"] ?? "haswell"
let simdFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU])]

let package = Package(
    name: "Tina",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tina", targets: ["tina"]),
        .library(name: "TinaCore", targets: ["TinaCore"]),
        .library(name: "TinaFormats", targets: ["TinaFormats"]),
        .library(name: "TinaModels", targets: ["TinaModels"]),
        .library(name: "TinaTokenizers", targets: ["TinaTokenizers"]),
        .library(name: "TinaMath", targets: ["TinaMath"]),
        .library(name: "TinaTraining", targets: ["TinaTraining"]),
        .library(name: "TinaRL", targets: ["TinaRL"]),
        .library(name: "TinaDemo", targets: ["TinaDemo"]),
        .library(name: "TinaEval", targets: ["TinaEval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // CPUID/XGETBV and the run-time loaded oneDNN bridge (header from Debian's libdnnl-dev; the library
        // itself is opened with dlopen, see Sources/CTinaCPU/include/tina_cpu.h).
        .target(name: "CTinaCPU", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "TinaCore", dependencies: ["CTinaCPU"], swiftSettings: simdFlags),
        .target(name: "TinaFormats", dependencies: ["TinaCore"], swiftSettings: simdFlags),
        .target(name: "TinaMath", dependencies: ["TinaCore", .product(name: "BigInt", package: "BigInt")], swiftSettings: simdFlags),
        .target(name: "TinaTokenizers", dependencies: ["TinaCore", "TinaFormats"], swiftSettings: simdFlags),
        .target(name: "TinaModels", dependencies: ["TinaCore", "TinaFormats"], swiftSettings: simdFlags),
        .target(name: "TinaGeneration", dependencies: ["TinaCore", "TinaFormats", "TinaModels", "TinaTokenizers"], swiftSettings: simdFlags),
        .target(name: "TinaTraining", dependencies: ["TinaCore", "TinaFormats", "TinaModels", "TinaTokenizers"], swiftSettings: simdFlags),
        // Charts (SVG) and HTML pages for runs and evaluations.
        .target(name: "TinaReport", dependencies: [.product(name: "Plot", package: "Plot")]),
        // GRPO: recipes (YAML), datasets and prompts, the trainer, run directories and plots.
        .target(name: "TinaRL", dependencies: ["TinaCore", "TinaFormats", "TinaTokenizers", "TinaMath", "TinaModels", "TinaGeneration",
                                               "TinaTraining", "TinaReport", .product(name: "Yams", package: "Yams")],
                swiftSettings: simdFlags),
        // The demo's arithmetic task, its imperfect teacher and the data files (`tina demo-data`).
        .target(name: "TinaDemo", dependencies: ["TinaCore", "TinaFormats", "TinaTokenizers", "TinaMath", "TinaModels", "TinaGeneration", "TinaRL"],
                swiftSettings: simdFlags),
        // Benchmarks, prompts, grading, metrics and resumable runs of `tina eval`.
        .target(name: "TinaEval", dependencies: ["TinaCore", "TinaFormats", "TinaMath", "TinaTokenizers", "TinaGeneration", "TinaModels", "TinaReport"],
                swiftSettings: simdFlags),
        // Optimized even in debug builds: the peak loop must run at full speed to mean anything.
        .target(name: "CTinaPeak", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "TinaBench", dependencies: ["TinaCore", "TinaFormats", "TinaModels", "TinaTokenizers", "TinaMath", "TinaGeneration", "TinaRL", "CTinaPeak"], swiftSettings: simdFlags),
        .executableTarget(
            name: "tina",
            dependencies: [
                "TinaCore", "TinaFormats", "TinaTokenizers", "TinaModels", "TinaGeneration", "TinaMath", "TinaBench", "TinaTraining", "TinaRL", "TinaReport", "TinaDemo",
                "TinaEval",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: simdFlags
        ),
        .testTarget(name: "TinaModelsTests", dependencies: ["TinaModels", "TinaGeneration", "TinaTokenizers", "TinaFormats", "TinaCore", "TinaTestSupport"],
                    swiftSettings: simdFlags),
        // Paths to fixtures and small helpers shared by the test targets.
        .target(name: "TinaTestSupport", path: "Tests/TinaTestSupport"),
        .testTarget(name: "TinaMathTests", dependencies: ["TinaMath", "TinaCore", "TinaTestSupport"], swiftSettings: simdFlags),
        .testTarget(name: "TinaTokenizersTests", dependencies: ["TinaTokenizers", "TinaFormats", "TinaCore", "TinaTestSupport"],
                    swiftSettings: simdFlags),
        .testTarget(name: "TinaTrainingTests", dependencies: ["TinaTraining", "TinaModels", "TinaFormats", "TinaCore", "TinaTokenizers", "TinaTestSupport"],
                    swiftSettings: simdFlags),
        .testTarget(name: "TinaGenerationTests", dependencies: ["TinaGeneration", "TinaModels", "TinaCore", "TinaTestSupport"], swiftSettings: simdFlags),
        .testTarget(name: "TinaRLTests", dependencies: ["TinaRL", "TinaTraining", "TinaModels", "TinaMath", "TinaTokenizers", "TinaFormats", "TinaCore", "TinaTestSupport"],
                    swiftSettings: simdFlags),
        .testTarget(name: "TinaDemoTests", dependencies: ["TinaDemo", "TinaTokenizers", "TinaModels", "TinaFormats", "TinaMath", "TinaCore", "TinaTestSupport"],
                    swiftSettings: simdFlags),
        .testTarget(name: "TinaEvalTests", dependencies: ["TinaEval", "TinaFormats", "TinaMath", "TinaTokenizers", "TinaCore", "TinaTestSupport"],
                    swiftSettings: simdFlags),
        .testTarget(name: "TinaCoreTests", dependencies: ["TinaCore", "TinaTestSupport"], swiftSettings: simdFlags),
        .testTarget(name: "TinaCLITests", dependencies: ["TinaTestSupport"]),  // runs the built `tina` binary
        .testTarget(
            name: "TinaFormatsTests",
            dependencies: ["TinaFormats", "TinaCore", "TinaTestSupport"],
            swiftSettings: simdFlags
        ),
    ]
)
