import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaModels
import TinaTestSupport
import TinaTraining

/// `tina merge` / `LoRAMerge`: the merged checkpoint equals PEFT's merge_and_unload and gives the adapter-on logits.
@Suite struct MergeTests {
    @Test(arguments: LoRATests.cases)
    func mergedCheckpointMatchesPEFT(name: String) throws {
        let expected = try LoRATests.Expected(name)
        let output = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: output) }
        let merged = try LoRAMerge.merge(base: Paths.fixture(expected.base), adapter: Paths.fixture("training/\(name)/adapter"),
                                         output: output)
        #expect(merged == 7 * 2)
        let model = try DecoderModel.load(path: output, precision: .f32)
        #expect(LoRATests.maxDifference(try LoRATests.logits(model, expected.sequences), expected.logits) <= 1e-4)
        let json = try readJSON(Paths.fixture("training/\(name)/expected.json"))
        let reference = try #require(json["merged"] as? [String: [String: Any]])
        let written = try SafetensorsFile(path: output + "/model.safetensors")
        for (tensorName, entry) in reference {
            let values = (entry["values"] as? [Double] ?? []).map(Float.init)
            #expect(maxScaledError(try written.tensor(tensorName).toArray(), values) < 1e-6, "\(tensorName)")
        }
        #expect(FileManager.default.fileExists(atPath: output + "/config.json"))
    }

    @Test func mismatchedAdapterIsAClearError() throws {
        let output = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: output) }
        let message = errorText {
            try LoRAMerge.merge(base: Paths.fixture("decoder/llama-gqa4-untied"),
                                adapter: Paths.fixture("training/qwen2-gqa2-lora/adapter"), output: output)
        }
        #expect(message.contains("do not fit the base weight"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: output + "/model.safetensors"))
    }
}
