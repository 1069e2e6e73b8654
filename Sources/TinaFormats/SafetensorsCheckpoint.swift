import Foundation
import TinaCore

/// The weights of a Hugging Face model directory: one `model.safetensors`, or shards listed by
/// `model.safetensors.index.json` (its `weight_map` names the shard of every tensor). Shards are mapped lazily.
public final class SafetensorsCheckpoint: @unchecked Sendable {
    public let directory: String
    /// Shard file name for every tensor name.
    public let weightMap: [String: String]
    public let shards: [String: SafetensorsFile]

    public static let indexFileName = "model.safetensors.index.json"
    public static let singleFileName = "model.safetensors"

    public init(directory: String) throws {
        self.directory = directory
        let indexPath = directory + "/" + Self.indexFileName
        let fm = FileManager.default
        var shardNames: [String]
        var map: [String: String] = [:]
        if fm.fileExists(atPath: indexPath) {
            map = try Self.readIndex(path: indexPath)
            shardNames = Array(Set(map.values)).sorted()
        } else if fm.fileExists(atPath: directory + "/" + Self.singleFileName) {
            shardNames = [Self.singleFileName]
        } else {
            let all = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            shardNames = all.filter { $0.hasSuffix(".safetensors") }.sorted()
            guard !shardNames.isEmpty else {
                throw TinaError.missing(source: directory, what: "\(Self.singleFileName), \(Self.indexFileName) or any .safetensors file")
            }
        }
        var shards: [String: SafetensorsFile] = [:]
        for name in shardNames {
            guard !name.contains("/"), name != "..", name != "." else {
                throw TinaError.malformed(source: indexPath, reason: "shard name '\(name)' leaves the model directory")
            }
            let path = directory + "/" + name
            guard fm.fileExists(atPath: path) else {
                throw TinaError.missing(source: indexPath, what: "shard file '\(name)' (listed in weight_map)")
            }
            shards[name] = try SafetensorsFile(path: path)
        }
        if map.isEmpty {
            for name in shardNames {
                for entry in shards[name]?.entries ?? [] {
                    if let other = map[entry.name] {
                        throw TinaError.malformed(source: directory, reason: "tensor '\(entry.name)' appears in both \(other) and \(name)")
                    }
                    map[entry.name] = name
                }
            }
        } else {
            for (tensor, shard) in map where shards[shard]?.entry(tensor) == nil {
                throw TinaError.missing(source: directory + "/" + shard, what: "tensor '\(tensor)' (weight_map of \(Self.indexFileName) puts it there)")
            }
        }
        weightMap = map
        self.shards = shards
    }

    private static func readIndex(path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TinaError.io(path: path, reason: "cannot read")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw TinaError.malformed(source: path, reason: "not a JSON object")
        }
        guard let weightMap = root["weight_map"] as? [String: Any] else {
            throw TinaError.malformed(source: path, reason: "field 'weight_map' is missing or not an object")
        }
        var map: [String: String] = [:]
        for (tensor, value) in weightMap {
            guard let shard = value as? String, !shard.isEmpty else {
                throw TinaError.malformed(source: path, reason: "weight_map['\(tensor)'] is not a file name")
            }
            map[tensor] = shard
        }
        return map
    }

    public var tensorNames: [String] { weightMap.keys.sorted() }

    public func entry(_ name: String) -> SafetensorsEntry? {
        weightMap[name].flatMap { shards[$0]?.entry(name) }
    }

    public func tensor(_ name: String) throws -> Tensor {
        guard let shard = weightMap[name], let file = shards[shard] else {
            throw TinaError.missing(source: directory, what: "tensor '\(name)'")
        }
        return try file.tensor(name)
    }
}
