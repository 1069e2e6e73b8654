import Foundation
import Testing
import TinaTestSupport

/// `tina train` end to end: a misspelled recipe key is refused with a hint before anything loads; one GRPO step
/// on the real SmolLM2 writes metrics, the adapter, trainer_state.json with the cost, and the curves.
@Suite struct TrainCommandTests {
    @Test func aMisspelledRecipeKeyIsRefusedWithAHint() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recipe = directory + "/r.yaml"
        try "model_name_or_path: nowhere\ndataset_name: nowhere.jsonl\nscale_reward: false\n".write(toFile: recipe, atomically: true, encoding: .utf8)
        let run = try CLI.run(["train", recipe])
        #expect(run.status != 0)
        #expect(run.stderr.contains("scale_rewards"), "\(run.stderr)")
        #expect(run.stderr.contains("r.yaml"), "\(run.stderr)")
    }

    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels)))
    func oneStepOnSmolLM2WritesTheRun() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/run"
        let run = try CLI.run(["train", "recipes/cpu/smollm2_arithmetic_smoke.yaml", "--set", "output_dir=\(out)", "--set", "max_steps=1",
                               "--set", "max_completion_length=8", "--set", "model_name_or_path=\(Paths.smolLM2)"],
                              in: Paths.repository.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("step 1/1"), "\(run.stdout)")
        let rows = try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 1)
        let row = try #require(try JSONSerialization.jsonObject(with: Data(rows[0].utf8)) as? [String: Any])
        for key in ["reward", "rewards/format/mean", "rewards/accuracy/mean", "kl", "grad_norm", "time/rollout"] { #expect(row[key] != nil, "\(key)") }
        for file in ["adapter_config.json", "adapter_model.safetensors", "trainer_state.json", "recipe.yaml", "index.html", "plots/reward.svg",
                     "completions.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let state = try readJSON(out + "/trainer_state.json")
        let summary = try #require(state["summary"] as? [String: Any])
        #expect(summary["dollars"] != nil)
    }
}

/// `tina generate` batch mode: every input line comes back n times with its index and id, in a JSONL file that
/// only appears complete.
@Suite struct GenerateBatchTests {
    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels)))
    func batchModeWritesOneRowPerSample() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in.jsonl", output = directory + "/out.jsonl"
        try """
        {"prompt": "What is 2+3?", "id": "a"}
        {"messages": [{"role": "user", "content": "Name a color."}]}
        {"token_ids": [1, 2, 3], "id": 7}
        """.write(toFile: input, atomically: true, encoding: .utf8)
        let run = try CLI.run(["generate", "--model", Paths.smolLM2, "--input", input, "--output", output, "--n", "2",
                               "--temperature", "0.8", "--max-new-tokens", "6", "--seed", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(rows.count == 6)
        #expect(Set(rows.map { "\($0["index"]!)/\($0["sample"]!)" }).count == 6)
        #expect(rows.filter { $0["id"] as? String == "a" }.count == 2)
        #expect(rows.filter { $0["id"] as? String == "7" }.count == 2)
        #expect(!FileManager.default.fileExists(atPath: output + ".partial"))
        // A broken line names its line number and writes nothing.
        try "{\"prompt\": \"ok\"}\n{\"nope\": 1}\n".write(toFile: input, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["generate", "--model", Paths.smolLM2, "--input", input, "--output", directory + "/bad.jsonl"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("in.jsonl:2"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/bad.jsonl"))
    }
}
