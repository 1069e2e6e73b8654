import Foundation

/// Seeded, deterministic randomness for the structure-aware fuzzers (SplitMix64: tiny and reproducible on every
/// platform, unlike the system generator).
public struct FuzzRNG: RandomNumberGenerator {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<n (0 when n <= 0).
    public mutating func int(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    /// True with probability 1/n.
    public mutating func oneIn(_ n: Int) -> Bool { int(n) == 0 }
    public mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    /// A size that is usually small and sometimes hostile: 0-8, up to 300, or up to `huge`.
    public mutating func size(huge: Int) -> Int {
        switch int(20) {
        case 0: return int(huge + 1)
        case 1, 2, 3: return int(301)
        default: return int(9)
        }
    }
}

/// How many inputs each fuzzer runs: the default keeps `swift test` short; `TINA_FUZZ_SCALE=N` (as `make fuzz`
/// sets) multiplies every count, and `TINA_FUZZ_SEED` shifts every seed to explore new inputs.
public enum FuzzBudget {
    public static let scale = max(1, Int(ProcessInfo.processInfo.environment["TINA_FUZZ_SCALE"] ?? "") ?? 1)
    public static let seedOffset = UInt64(ProcessInfo.processInfo.environment["TINA_FUZZ_SEED"] ?? "") ?? 0
    /// A hang bound for one input: generous for a slow 2-core CI machine, far below what a hang takes.
    public static let hangSeconds = 10.0

    public static func iterations(_ base: Int) -> Int { base * scale }
    public static func rng(_ seed: UInt64) -> FuzzRNG { FuzzRNG(seed: seed &+ seedOffset &* 0x1_0000_0001) }
}

/// Counts and the slowest case of one fuzz run, printed as one line ("fuzz <format>: ...") for BENCHMARKS.md.
public struct FuzzReport {
    public let format: String
    public var inputs = 0, accepted = 0, rejected = 0
    public var slowest = 0.0
    public var slowestInput = ""

    public init(format: String) { self.format = format }

    /// Times `body` on `input`; `accepted` says whether it produced a result (false: a clean error).
    public mutating func run(_ input: @autoclosure () -> String, _ body: () -> Bool) {
        let start = Date()
        let ok = body()
        let seconds = Date().timeIntervalSince(start)
        inputs += 1
        if ok { accepted += 1 } else { rejected += 1 }
        if seconds > slowest {
            slowest = seconds
            slowestInput = String(input().prefix(80))
        }
    }

    public func printSummary() {
        print("fuzz \(format): \(inputs) inputs (\(accepted) accepted, \(rejected) rejected cleanly), slowest "
              + String(format: "%.1f ms", slowest * 1000) + " on \(slowestInput.debugDescription)")
    }
}
