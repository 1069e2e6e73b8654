import Dispatch
import Synchronization

/// Wall time per backend operation, collected only while enabled (`tina bench model --profile`): the
/// breakdown that says where a forward pass spends its time. Off, it costs one atomic load per operation.
public enum OpProfile {
    private static let enabled = Atomic<Bool>(false)
    private static let totals = Mutex<[String: (seconds: Double, calls: Int)]>([:])
    /// Names the part of a larger job (a GRPO step's rollout, reference or train) that operations belong to.
    private static let currentPhase = Mutex<String>("")

    public static func start() {
        totals.withLock { $0 = [:] }
        enabled.store(true, ordering: .relaxed)
    }

    /// Stops collecting and returns (operation, seconds, calls), slowest first.
    public static func stop() -> [(name: String, seconds: Double, calls: Int)] {
        enabled.store(false, ordering: .relaxed)
        return totals.withLock { $0.map { ($0.key, $0.value.seconds, $0.value.calls) } }.sorted { $0.seconds > $1.seconds }
    }

    @inline(__always)
    public static func measure<T>(_ name: @autoclosure () -> String, _ body: () throws -> T) rethrows -> T {
        guard enabled.load(ordering: .relaxed) else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let phase = currentPhase.withLock { $0 }
        let key = phase.isEmpty ? name() : "\(phase): \(name())"
        totals.withLock { t in
            let old = t[key] ?? (0, 0)
            t[key] = (old.seconds + seconds, old.calls + 1)
        }
        return result
    }

    /// Runs `body` as phase `name`: its operations are reported as "name: operation", and its whole wall time
    /// as "name: (wall)".
    public static func phase<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard enabled.load(ordering: .relaxed) else { return try body() }
        let previous = currentPhase.withLock { p in
            let old = p
            p = old.isEmpty ? name : "\(old)/\(name)"
            return old
        }
        defer { currentPhase.withLock { $0 = previous } }
        return try measure("(wall)") { try body() }
    }
}
