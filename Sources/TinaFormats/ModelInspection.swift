import Foundation
import TinaCore

/// What `tina inspect` reports about a model directory, a safetensors file or a GGUF file.
public struct ModelSummary: Codable, Sendable {
    public struct DTypeUsage: Codable, Sendable {
        public var dtype: String
        public var tensors: Int
        public var parameters: Int
        public var bytes: Int
    }

    /// Tensors whose names differ only in layer numbers, folded into one pattern ("model.layers.*.mlp...").
    public struct TensorGroup: Codable, Sendable {
        public var pattern: String
        public var count: Int
        public var dtype: String
        public var shape: [Int]
    }

    public struct TensorEntry: Codable, Sendable {
        public var name: String
        public var dtype: String
        public var shape: [Int]
        public var bytes: Int
    }

    public var path: String
    /// "hf-directory", "safetensors" or "gguf".
    public var format: String
    public var architecture: String?
    public var config: DecoderConfig?
    /// Why no decoder configuration could be built, when none was.
    public var configProblem: String?
    public var parameterCount: Int
    public var tensorCount: Int
    public var files: [String]
    public var totalBytes: Int
    public var dtypes: [DTypeUsage]
    public var groups: [TensorGroup]
    /// Every tensor, in file order.
    public var tensors: [TensorEntry]
    public var hasTokenizer: Bool
    public var tokenizerSource: String?
    public var hasChatTemplate: Bool
    public var metadata: [String: String]
}

public enum ModelInspection {
    public static func inspect(path: String) throws -> ModelSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TinaError.io(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue { return try inspectDirectory(path) }
        let magic = try readMagic(path)
        if magic == Array("GGUF".utf8) { return try inspectGGUF(path) }
        do {
            return try inspectSafetensors(path)
        } catch let error as TinaError where !path.hasSuffix(".safetensors") {
            throw TinaError.unsupported(source: path, reason: "neither a GGUF file nor a safetensors file (read as safetensors: \(error))")
        }
    }

    private static func readMagic(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TinaError.io(path: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        return Array(handle.readData(ofLength: 4))
    }

    struct TensorRow { let name: String; let dtype: String; let shape: [Int]; let count: Int; let bytes: Int }

    private static func inspectDirectory(_ path: String) throws -> ModelSummary {
        let checkpoint = try SafetensorsCheckpoint(directory: path)
        let rows = checkpoint.tensorNames.compactMap { name in
            checkpoint.entry(name).map { TensorRow(name: name, dtype: $0.dtype.rawValue, shape: $0.shape,
                                                   count: $0.shape.reduce(1, *), bytes: $0.dataRange.count) }
        }
        var summary = summarize(path: path, format: "hf-directory", rows: rows, files: checkpoint.shards.keys.sorted())
        summary.totalBytes = checkpoint.shards.values.reduce(0) { $0 + fileSize($1.path) }
        let configPath = path + "/config.json"
        if FileManager.default.fileExists(atPath: configPath) {
            do {
                let config = try DecoderConfig.load(configPath: configPath)
                summary.config = config
                summary.architecture = config.family.rawValue
            } catch {
                summary.configProblem = "\(error)"
            }
        } else {
            summary.configProblem = "no config.json in the directory"
        }
        for shard in checkpoint.shards.values { summary.metadata.merge(shard.metadata) { first, _ in first } }
        detectTokenizer(directory: path, into: &summary)
        return summary
    }

    private static func inspectSafetensors(_ path: String) throws -> ModelSummary {
        let file = try SafetensorsFile(path: path)
        let rows = file.entries.map {
            TensorRow(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape, count: $0.shape.reduce(1, *), bytes: $0.dataRange.count)
        }
        var summary = summarize(path: path, format: "safetensors", rows: rows, files: [(path as NSString).lastPathComponent])
        summary.totalBytes = fileSize(path)
        summary.metadata = file.metadata
        let configPath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("config.json")
        if let config = try? DecoderConfig.load(configPath: configPath) {
            summary.config = config
            summary.architecture = config.family.rawValue
        } else {
            summary.configProblem = "no readable config.json beside the file"
        }
        detectTokenizer(directory: (path as NSString).deletingLastPathComponent, into: &summary)
        return summary
    }

    private static func inspectGGUF(_ path: String) throws -> ModelSummary {
        let file = try GGUFFile(path: path)
        let rows = file.tensors.map {
            TensorRow(name: $0.name, dtype: $0.type.name, shape: $0.shape, count: $0.elementCount, bytes: $0.byteCount)
        }
        var summary = summarize(path: path, format: "gguf", rows: rows, files: [(path as NSString).lastPathComponent])
        summary.totalBytes = fileSize(path)
        summary.architecture = file.value("general.architecture")?.string
        do { summary.config = try DecoderConfig.from(gguf: file) } catch { summary.configProblem = "\(error)" }
        for (key, value) in file.metadata where key.hasPrefix("general.") {
            summary.metadata[key] = value.string ?? value.summary
        }
        summary.metadata["gguf.version"] = String(file.version)
        summary.metadata["gguf.metadata_keys"] = String(file.metadata.count)
        summary.hasTokenizer = file.value("tokenizer.ggml.model") != nil
        if let model = file.value("tokenizer.ggml.model")?.string {
            let size = file.value("tokenizer.ggml.tokens")?.array?.count ?? 0
            summary.tokenizerSource = "GGUF metadata (model \(model), \(size) tokens)"
        }
        summary.hasChatTemplate = file.value("tokenizer.chat_template") != nil
        return summary
    }

    private static func summarize(path: String, format: String, rows: [TensorRow], files: [String]) -> ModelSummary {
        var usage: [String: ModelSummary.DTypeUsage] = [:]
        var groups: [String: ModelSummary.TensorGroup] = [:]
        var order: [String] = []
        for row in rows {
            usage[row.dtype, default: .init(dtype: row.dtype, tensors: 0, parameters: 0, bytes: 0)].tensors += 1
            usage[row.dtype]?.parameters += row.count
            usage[row.dtype]?.bytes += row.bytes
            let pattern = layerPattern(row.name)
            if groups[pattern] == nil {
                order.append(pattern)
                groups[pattern] = .init(pattern: pattern, count: 0, dtype: row.dtype, shape: row.shape)
            }
            groups[pattern]?.count += 1
            if groups[pattern]?.dtype != row.dtype { groups[pattern]?.dtype = "mixed" }
        }
        return ModelSummary(
            path: path, format: format, architecture: nil, config: nil, configProblem: nil,
            parameterCount: rows.reduce(0) { $0 + $1.count }, tensorCount: rows.count, files: files, totalBytes: 0,
            dtypes: usage.values.sorted { $0.parameters > $1.parameters },
            groups: order.compactMap { groups[$0] },
            tensors: rows.map { .init(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: $0.bytes) }, hasTokenizer: false, tokenizerSource: nil,
            hasChatTemplate: false, metadata: [:])
    }

    /// "model.layers.12.mlp.up_proj.weight" -> "model.layers.*.mlp.up_proj.weight"
    public static func layerPattern(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false)
            .map { part in !part.isEmpty && part.allSatisfy(\.isNumber) ? "*" : String(part) }
            .joined(separator: ".")
    }

    private static func detectTokenizer(directory: String, into summary: inout ModelSummary) {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory + "/tokenizer.json") {
            summary.hasTokenizer = true
            summary.tokenizerSource = "tokenizer.json"
        }
        if fm.fileExists(atPath: directory + "/chat_template.jinja") {
            summary.hasChatTemplate = true
        } else if let data = fm.contents(atPath: directory + "/tokenizer_config.json"),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  object["chat_template"] != nil {
            summary.hasChatTemplate = true
        }
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
