import Foundation

/// How a run's cost is counted: the machine's price per hour (a cloud instance of this size; stated in the
/// README) and, when known, its peak FLOP/s for the utilization figure.
public struct CostModel: Sendable, Codable, Equatable {
    public var pricePerHour: Double
    public var peakFLOPS: Double?
    public var machine: String
    public init(pricePerHour: Double, peakFLOPS: Double? = nil, machine: String) {
        self.pricePerHour = pricePerHour
        self.peakFLOPS = peakFLOPS
        self.machine = machine
    }
}

/// The paper's headline is cost: wall time by phase, work done, and dollars.
public struct GRPOSummary: Sendable, Codable, Equatable {
    public var steps: Int
    public var skippedSteps: Int
    public var wallSeconds: Double
    public var rolloutSeconds: Double
    public var referenceSeconds: Double
    public var trainSeconds: Double
    public var promptTokens: Double
    public var completionTokens: Double
    /// Matrix FLOPs: 2N per token forward (rollouts, reference), 4N per token for a LoRA step (forward and the
    /// input gradients; the frozen base has no weight gradients), 6N for full training.
    public var flops: Double
    public var achievedFLOPS: Double
    public var utilization: Double?
    public var machineHours: Double
    public var dollars: Double
    public var pricePerHour: Double
    public var machine: String

    init(state: GRPOState, cost: CostModel, parameters: Int, wallSeconds: Double, fullTraining: Bool = false) {
        steps = state.step
        skippedSteps = state.skippedSteps
        self.wallSeconds = wallSeconds
        rolloutSeconds = state.timing.rollout
        referenceSeconds = state.timing.reference
        trainSeconds = state.timing.train
        promptTokens = state.log.reduce(0) { $0 + ($1["tokens/prompt"] ?? 0) }
        completionTokens = state.log.reduce(0) { $0 + ($1["tokens/completion"] ?? 0) }
        let n = Double(parameters), sequenceTokens = promptTokens + completionTokens
        let referencePasses = state.log.contains { $0["kl"] != nil } ? 1.0 : 0.0
        flops = 2 * n * sequenceTokens * (1 + referencePasses) + (fullTraining ? 6 : 4) * n * sequenceTokens
        let total = state.timing.total
        let achieved = total > 0 ? flops / total : 0
        achievedFLOPS = achieved
        utilization = cost.peakFLOPS.map { achieved / $0 }
        machineHours = wallSeconds / 3600
        dollars = machineHours * cost.pricePerHour
        pricePerHour = cost.pricePerHour
        machine = cost.machine
    }

    public var text: String {
        var lines = [String(format: "%d steps in %.1f s (rollout %.1f s, reference %.1f s, train %.1f s)", steps, wallSeconds,
                            rolloutSeconds, referenceSeconds, trainSeconds),
                     String(format: "%.0f prompt + %.0f completion tokens; %.2f TFLOP at %.1f GFLOP/s", promptTokens, completionTokens,
                            flops / 1e12, achievedFLOPS / 1e9)]
        if let utilization { lines.append(String(format: "utilization %.1f%% of peak", utilization * 100)) }
        lines.append(String(format: "cost %.4f machine-hours x $%.3f/h = $%.4f (%@)", machineHours, pricePerHour, dollars, machine))
        if skippedSteps > 0 { lines.append("\(skippedSteps) steps skipped (non-finite loss or gradient)") }
        return lines.joined(separator: "\n")
    }
}
