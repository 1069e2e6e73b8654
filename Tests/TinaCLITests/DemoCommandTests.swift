import Foundation
import Testing
import TinaTestSupport

/// `tina demo` mechanics on the embedded model (a few steps; the README's numbers come from full runs): the
/// evaluations, the GRPO run's adapter, metrics and curves, and the summary.
@Suite struct DemoCommandTests {
    @Test func aShortDemoWritesEverything() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/demo"
        let run = try CLI.run(["demo", "--out", out, "--steps", "2", "--held-out", "8", "--harder", "4", "--samples", "2",
                               "--prompts-per-step", "2", "--generations", "4"], in: Paths.repository.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("| held-out | 8 x 2 |"), "\(run.stdout)")
        #expect(run.stdout.contains("step 2/2"))
        for file in ["demo_summary.json", "grpo/adapter_config.json", "grpo/adapter_model.safetensors", "grpo/metrics.jsonl",
                     "grpo/index.html", "grpo/plots/reward.svg", "grpo/trainer_state.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let summary = try readJSON(out + "/demo_summary.json")
        let before = try #require(summary["before"] as? [[String: Any]]), after = try #require(summary["after"] as? [[String: Any]])
        #expect(before.count == 2 && after.count == 2)
        for e in before + after {
            let accuracy = try #require(e["accuracy"] as? Double)
            #expect(accuracy >= 0 && accuracy <= 1)
            #expect((e["formatRate"] as? Double ?? 0) > 0.5, "the base is fluent in the format")
        }
        let trainable = try #require(summary["trainableParameters"] as? Int), total = try #require(summary["modelParameters"] as? Int)
        #expect(Double(trainable) < 0.05 * Double(total), "LoRA under 5 % of the model")
    }
}
