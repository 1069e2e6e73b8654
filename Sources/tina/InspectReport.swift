import Foundation
import TinaFormats

/// Human-readable rendering of a `ModelSummary`.
enum InspectReport {
    static func text(_ s: ModelSummary, allTensors: Bool, path: String) -> String {
        var lines: [String] = []
        let formatName = ["hf-directory": "Hugging Face model directory", "safetensors": "safetensors file", "gguf": "GGUF file"][s.format] ?? s.format
        lines.append("\(s.path)  (\(formatName))")
        func row(_ label: String, _ value: String) { lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value) }
        row("architecture", s.architecture ?? "unknown")
        if let c = s.config {
            row("shape", "\(c.layerCount) layers, hidden \(c.hiddenSize), ffn \(c.intermediateSize), heads \(c.headCount)/\(c.kvHeadCount) kv (head dim \(c.headDim)), vocab \(c.vocabSize)")
            var rope = "theta \(formatNumber(c.ropeTheta))"
            if let scaling = c.ropeScaling { rope += ", scaling \(scaling.kind)" + (scaling.factor.map { " x\(formatNumber($0))" } ?? "") }
            row("rope", rope + ", max positions \(c.maxPositionEmbeddings)")
            row("details", "rms eps \(c.rmsNormEps), qkv bias \(c.qkvBias ? "yes" : "no"), tied embeddings \(c.tieWordEmbeddings ? "yes" : "no")")
        } else if let problem = s.configProblem {
            row("config", "none (\(problem))")
        }
        var params = grouped(s.parameterCount)
        if let c = s.config, c.parameterCount != s.parameterCount { params += " (config implies \(grouped(c.parameterCount)))" }
        row("parameters", params)
        row("size", "\(byteSize(s.totalBytes)) in \(s.files.count) file\(s.files.count == 1 ? "" : "s"), \(s.tensorCount) tensors")
        for (i, usage) in s.dtypes.enumerated() {
            row(i == 0 ? "dtypes" : "", "\(usage.dtype.padding(toLength: 5, withPad: " ", startingAt: 0)) \(usage.tensors) tensors, \(grouped(usage.parameters)) params, \(byteSize(usage.bytes))")
        }
        row("tokenizer", s.hasTokenizer ? (s.tokenizerSource ?? "yes") : "none found")
        row("chat template", s.hasChatTemplate ? "yes" : "no")
        let shownMetadata = s.metadata.keys.sorted().filter { !$0.hasPrefix("gguf.") }
        if !shownMetadata.isEmpty {
            lines.append("  metadata:")
            let width = (shownMetadata.map(\.count).max() ?? 0) + 2
            for key in shownMetadata {
                lines.append("    " + key.padding(toLength: width, withPad: " ", startingAt: 0) + (s.metadata[key] ?? ""))
            }
        }
        lines.append("  tensors:")
        if allTensors {
            let width = min(70, (s.tensors.map(\.name.count).max() ?? 20) + 2)
            for t in s.tensors {
                lines.append("    " + t.name.padding(toLength: width, withPad: " ", startingAt: 0) + " \(t.dtype.padding(toLength: 5, withPad: " ", startingAt: 0)) \(t.shape)")
            }
            return lines.joined(separator: "\n")
        }
        let width = min(60, (s.groups.map { $0.pattern.count + ($0.count > 1 ? 5 : 0) }.max() ?? 20) + 2)
        for group in s.groups {
            let name = group.count > 1 ? "\(group.pattern) x\(group.count)" : group.pattern
            lines.append("    " + name.padding(toLength: width, withPad: " ", startingAt: 0) + " \(group.dtype.padding(toLength: 5, withPad: " ", startingAt: 0)) \(group.shape)")
        }
        return lines.joined(separator: "\n")
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }

    static func byteSize(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func formatNumber(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
