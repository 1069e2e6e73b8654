import Foundation
import Testing
import TinaCore
import TinaFormats

@Suite struct SafetensorsTests {
    @Test func roundTripsEveryDtypeAndMetadata() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try Tensor(shape: [2, 3], values: [1, -2, 3.5, 4, 5e-3, -6])
        let b = try a.converted(to: .bf16)
        let c = try a.converted(to: .f16)
        let ints = try Tensor(zeros: [3], dtype: .i64)
        ints.rawPointer.assumingMemoryBound(to: Int64.self).update(from: [7, -1, 1 << 40], count: 3)
        let bytes = try Tensor(zeros: [5], dtype: .u8)
        let empty = try Tensor(zeros: [0, 4])
        let path = dir + "/weights.safetensors"
        try SafetensorsWriter.write([("a", a), ("b.bf16", b), ("c \"quoted\" é", c), ("ints", ints), ("u8", bytes),
                                     ("empty", empty)], metadata: ["format": "pt", "note": "line\nbreak"], to: path)
        let file = try SafetensorsFile(path: path)
        #expect(file.metadata == ["format": "pt", "note": "line\nbreak"])
        #expect(file.header.dataStart % 8 == 0)
        #expect(Set(file.tensorNames) == ["a", "b.bf16", "c \"quoted\" é", "ints", "u8", "empty"])
        #expect(try file.tensor("a").toArray() == a.toArray())
        let readB = try file.tensor("b.bf16")
        #expect(readB.dtype == .bf16 && readB.shape == [2, 3])
        #expect(try readB.toArray() == b.toArray())
        #expect(try file.tensor("c \"quoted\" é").toArray() == c.toArray())
        #expect(try file.tensor("ints").toArray() == [7, -1, Float(1 << 40)])
        #expect(try file.tensor("empty").shape == [0, 4])
        #expect(throws: TinaError.self) { try file.tensor("missing") }
        // Nothing but the file itself is left in the directory (the temporary file was renamed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["weights.safetensors"])
    }

    @Test func failedWriteLeavesNothing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try Tensor(zeros: [2])
        #expect(throws: TinaError.self) { try SafetensorsWriter.write([("x", t), ("x", t)], to: dir + "/dup.safetensors") }
        #expect(throws: TinaError.self) { try SafetensorsWriter.write([("x", t)], to: dir + "/no/such/dir/x.safetensors") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func readsBF16FixtureWrittenByPython() throws {
        let file = try SafetensorsFile(path: Paths.fixture("tiny-qwen2/model.safetensors"))
        let expected = try readJSON(Paths.fixture("tiny-qwen2/expected.json"))
        #expect(file.tensorNames.count == expected.count)
        for (name, value) in expected {
            let info = try #require(value as? [String: Any])
            let tensor = try file.tensor(name)
            #expect(tensor.dtype == .bf16)
            #expect(tensor.shape == info["shape"] as? [Int])
            let sum = try tensor.toArray().reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - (info["sum"] as? Double ?? .nan)) < 1e-9, "\(name)")
        }
    }

    @Test func readsShardedCheckpoint() throws {
        let checkpoint = try SafetensorsCheckpoint(directory: Paths.fixture("tiny-llama-sharded"))
        #expect(checkpoint.shards.count == 2)
        let expected = try readJSON(Paths.fixture("tiny-llama-sharded/expected.json"))
        #expect(Set(checkpoint.tensorNames) == Set(expected.keys))
        for (name, value) in expected {
            let info = try #require(value as? [String: Any])
            let tensor = try checkpoint.tensor(name)
            #expect(tensor.shape == info["shape"] as? [Int])
            let sum = try tensor.toArray().reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - (info["sum"] as? Double ?? .nan)) < 1e-4, "\(name)")
        }
        #expect(checkpoint.weightMap["model.layers.1.mlp.up_proj.weight"] == "model-00002-of-00002.safetensors")
    }

    @Test func shardedIndexProblemsNameTheShardAndTensor() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try Tensor(zeros: [2])
        try SafetensorsWriter.write([("x", t)], to: dir + "/a.safetensors")
        let index = dir + "/model.safetensors.index.json"
        try #"{"weight_map": {"x": "a.safetensors", "y": "a.safetensors"}}"#.write(toFile: index, atomically: true, encoding: .utf8)
        #expect(errorText { _ = try SafetensorsCheckpoint(directory: dir) }.contains("tensor 'y'"))
        try #"{"weight_map": {"x": "b.safetensors"}}"#.write(toFile: index, atomically: true, encoding: .utf8)
        #expect(errorText { _ = try SafetensorsCheckpoint(directory: dir) }.contains("shard file 'b.safetensors'"))
        try #"{"weight_map": {"x": "../a.safetensors"}}"#.write(toFile: index, atomically: true, encoding: .utf8)
        #expect(errorText { _ = try SafetensorsCheckpoint(directory: dir) }.contains("leaves the model directory"))
        try #"{"weights": {}}"#.write(toFile: index, atomically: true, encoding: .utf8)
        #expect(errorText { _ = try SafetensorsCheckpoint(directory: dir) }.contains("weight_map"))
        let empty = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(errorText { _ = try SafetensorsCheckpoint(directory: empty) }.contains("missing"))
    }

    /// Each malformed header is rejected with a message naming the problem.
    @Test(arguments: [
        (safetensorsBytes(header: "{}", data: [], declaredLength: 1000), "beyond the end of the file"),
        (Array([1, 0, 0]), "truncated"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: [UInt8](repeating: 0, count: 4)), "cover 8 data bytes"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: [UInt8](repeating: 0, count: 8)), "overlaps"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: [UInt8](repeating: 0, count: 8)), "gap"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [UInt8](repeating: 0, count: 4)), "unknown dtype 'Q7'"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,4]}}", data: [UInt8](repeating: 0, count: 4)), "needs 12"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data: [UInt8](repeating: 0, count: 4)), "negative"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", data: [UInt8](repeating: 0, count: 4)), "data_offsets"),
        (safetensorsBytes(header: "{\"a\": [1, 2", data: []), "not valid JSON"),
        (safetensorsBytes(header: "[1, 2]", data: []), "not a JSON object"),
        (safetensorsBytes(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,4]}}", data: [UInt8](repeating: 0, count: 4)), "non-integer"),
        (safetensorsBytes(header: "{\"__metadata__\":{\"k\":1}}", data: []), "__metadata__.k"),
        (safetensorsBytes(header: "{\"\u{FF}\":{}}", data: []) .enumerated().map { $0.offset == 10 ? 0xFF : $0.element }, "UTF-8"),
    ])
    func rejectsMalformedHeaders(bytes: [UInt8], expected: String) {
        let message = errorText { _ = try parseSafetensors(bytes) }
        #expect(message.contains(expected), "got: \(message)")
    }

    @Test func acceptsAnEmptyFileOfTensors() throws {
        let header = try parseSafetensors(safetensorsBytes(header: "{}", data: []))
        #expect(header.entries.isEmpty)
    }
}
