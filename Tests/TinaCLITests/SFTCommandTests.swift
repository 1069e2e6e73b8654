import Foundation
import Testing
import TinaTestSupport

/// `tina sft` end to end on the real SmolLM2 (its tokenizer and chat template): bad lines are reported and
/// skipped, every step lands in metrics.jsonl, and the PEFT adapter it writes is usable by `tina score --adapter`.
@Suite struct SFTCommandTests {
    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels)))
    func sftWritesAnAdapterAndMetrics() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = directory + "/train.jsonl"
        try Data("""
        {"prompt": "What is 2+3?", "completion": "\\\\boxed{5}"}\r
        not json
        {"messages": [{"role": "user", "content": "What is 9-4?"}, {"role": "assistant", "content": "\\\\boxed{5}"}]}

        {"prompt": "What is 4*2?", "completion": "\\\\boxed{8}"}
        """.utf8).write(to: URL(fileURLWithPath: data))
        let out = directory + "/adapter"
        let run = try CLI.run(["sft", "--model", Paths.smolLM2, "--data", data, "--out", out, "--batch", "2", "--micro-batch", "1",
                               "--lora-r", "4", "--lr", "1e-3"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("train.jsonl:2:"), "the bad line is reported with its number: \(run.stderr)")
        #expect(run.stderr.contains("3 examples"))
        let metrics = try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(metrics.count == 2)
        for name in ["adapter_config.json", "adapter_model.safetensors"] { #expect(FileManager.default.fileExists(atPath: out + "/" + name)) }
        let score = try CLI.run(["score", "--model", Paths.smolLM2, "--adapter", out, "--text", "What is 2+3?"])
        #expect(score.status == 0, "\(score.stderr)")
    }
}
