import Foundation
import TinaCore
import TinaFormats

/// AdamW's state in a checkpoint: `optimizer.safetensors` with each parameter's first and second moments (f32,
/// exactly as held, so a resumed step computes the same bits) under "INDEX.NAME.exp_avg" / ".exp_avg_sq" (torch's
/// state names; the index keeps repeated names apart) and the step count in the metadata.
extension AdamW {
    public static let checkpointFileName = "optimizer.safetensors"

    /// Saves the moments of `parameters` (those updated at least once) and the step count.
    public func save(_ parameters: [TrainableParameter], to path: String) throws {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (i, p) in parameters.enumerated() {
            guard let (m, v) = moments(of: p) else { continue }
            tensors.append(("\(i).\(p.name).exp_avg", try Tensor(shape: m.shape, values: try backend.download(m))))
            tensors.append(("\(i).\(p.name).exp_avg_sq", try Tensor(shape: v.shape, values: try backend.download(v))))
        }
        let metadata = ["step": String(step), "beta1": "\(beta1)", "beta2": "\(beta2)", "eps": "\(eps)", "weight_decay": "\(weightDecay)"]
        try SafetensorsWriter.write(tensors, metadata: metadata, to: path)
    }

    /// Restores the moments and step count saved for the same parameters (same order and names).
    public func load(_ parameters: [TrainableParameter], from path: String) throws {
        let file = try SafetensorsFile(path: path)
        guard let stepText = file.metadata["step"], let savedStep = Int(stepText), savedStep >= 0 else {
            throw TinaError.malformed(source: path, reason: "no optimizer step in the metadata")
        }
        var saved: [(parameter: TrainableParameter, m: Tensor, v: Tensor)] = []
        for (i, p) in parameters.enumerated() {
            let key = "\(i).\(p.name)"
            guard file.entry(key + ".exp_avg") != nil else { continue }
            saved.append((p, try file.tensor(key + ".exp_avg"), try file.tensor(key + ".exp_avg_sq")))
        }
        // Moments saved under names this run does not have mean a different parameter set: resuming would silently
        // restart those parameters' moments at zero.
        let savedCount = file.tensorNames.filter { $0.hasSuffix(".exp_avg") }.count
        guard savedCount == saved.count else {
            throw TinaError.malformed(source: path, reason: "holds the moments of \(savedCount) parameters, \(saved.count) of which match this run's \(parameters.count) trainable parameters by index and name")
        }
        try restore(step: savedStep, moments: saved)
    }
}
