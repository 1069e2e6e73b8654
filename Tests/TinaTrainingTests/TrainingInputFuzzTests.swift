import Foundation
import Testing
import TinaCore
import TinaFormats
import TinaTestSupport
import TinaTraining

/// The training inputs from outside (SFT JSONL lines, PEFT adapter_config.json) under structure-aware mutation:
/// truncation, deep nesting, huge numbers and strings, wrong types, missing fields, invalid UTF-8. Each input
/// must parse or fail with a TinaError; anything else (another error type, a crash) fails the test.
@Suite struct TrainingInputFuzzTests {
    static let sftSeeds = [
        #"{"prompt": "What is 2+3?", "completion": "\\boxed{5}"}"#,
        #"{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "9-4?"}, {"role": "assistant", "content": "5"}]}"#,
    ]
    static let configSeeds = [
        #"{"peft_type": "LORA", "r": 32, "lora_alpha": 128, "lora_dropout": 0.05, "target_modules": ["q_proj", "v_proj"], "use_rslora": false, "bias": "none", "rank_pattern": {}, "base_model_name_or_path": "m"}"#,
        #"{"r": 8, "lora_alpha": 16.5, "target_modules": "q_proj"}"#,
    ]

    static func mutate(_ seed: String, _ rng: inout FuzzRNG) -> String {
        var text = seed
        for _ in 0..<(1 + rng.int(3)) {
            let cut = text.index(text.startIndex, offsetBy: rng.int(text.count + 1))
            switch rng.int(7) {
            case 0: text = String(text[..<cut])  // truncated
            case 1:
                let depth = rng.size(huge: 20_000)
                text.insert(contentsOf: String(repeating: "[", count: depth) + String(repeating: "]", count: depth), at: cut)
            case 2: text.insert(contentsOf: rng.pick(["1e999", "-0", "99999999999999999999999", "NaN", "null", "true"]), at: cut)
            case 3: text.insert(contentsOf: String(repeating: "x", count: rng.size(huge: 200_000)), at: cut)
            case 4: text = text.replacingOccurrences(of: rng.pick(["\"r\"", "\"prompt\"", "\"messages\"", "\"content\"", "\"target_modules\"", ":"]), with: "\"q\"")
            case 5: text.insert(contentsOf: rng.pick(["{", "}", "\"", "\\", ",", "\u{FFFD}", "\u{0}"]), at: cut)
            default: text = text.replacingOccurrences(of: rng.pick(["32", "\"q_proj\"", "\"user\"", "[", "\"5\""]), with: rng.pick(["{}", "[]", "-3", "0", "\"\""]))
            }
        }
        return text
    }

    @Test func sftLinesFailCleanly() {
        var rng = FuzzBudget.rng(31)
        var report = FuzzReport(format: "SFT JSONL lines")
        for _ in 0..<FuzzBudget.iterations(1500) {
            let line = Self.mutate(rng.pick(Self.sftSeeds), &rng)
            report.run(line) {
                do {
                    let (messages, completion) = try SFTData.parse(line)
                    #expect(!messages.isEmpty, "accepted a line without a prompt: \(line.prefix(80))")
                    _ = completion
                    return true
                } catch is TinaError {
                    return false
                } catch {
                    Issue.record("not a TinaError for \(line.prefix(80)): \(error)")
                    return false
                }
            }
        }
        report.printSummary()
        #expect(report.accepted > 0 && report.rejected > 0)
    }

    @Test func adapterConfigsFailCleanly() {
        var rng = FuzzBudget.rng(37)
        var report = FuzzReport(format: "adapter_config.json")
        for _ in 0..<FuzzBudget.iterations(1500) {
            let text = Self.mutate(rng.pick(Self.configSeeds), &rng)
            var data = Data(text.utf8)
            if rng.oneIn(20), !data.isEmpty { data[rng.int(data.count)] = 0xFF }  // invalid UTF-8
            report.run(text) {
                do {
                    let config = try PEFTAdapterFile.parseConfig(data, source: "fuzz/adapter_config.json")
                    #expect(config.rank > 0 && config.alpha.isFinite, "accepted an invalid config: \(text.prefix(80))")
                    return true
                } catch is TinaError {
                    return false
                } catch {
                    Issue.record("not a TinaError for \(text.prefix(80)): \(error)")
                    return false
                }
            }
        }
        report.printSummary()
        #expect(report.accepted > 0 && report.rejected > 0)
    }
}
