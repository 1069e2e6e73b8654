import Foundation
import Testing
import TinaCore
import TinaTokenizers

/// Inputs the fuzzers found crashing, kept as regressions (the limits found by hand are in JinjaLimitTests,
/// MathLimitTests and TinaCLITests).
@Suite struct FuzzRegressionTests {
    func load(_ json: String) throws -> Tokenizer {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try json.write(toFile: dir + "/tokenizer.json", atomically: true, encoding: .utf8)
        return try Tokenizer.load(path: dir)
    }

    /// InputFuzzTests, seed 1303: a vocabulary id of 99,999,999,999 made BPE allocate a 1.6 TB id table
    /// ("Fatal error: failed to allocate 1600000000032 bytes").
    @Test func hugeVocabularyIdsAreRefused() {
        for id in ["99999999999", "16777216", "-1"] {
            let text = errorText { _ = try load(#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": \#(id)}, "merges": []}}"#) }
            #expect(text.contains("vocab entry 'b'") && text.contains(id), "\(id): \(text)")
        }
        #expect((try? load(#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 16777215}, "merges": []}}"#)) != nil)
    }

    /// JinjaLimitTests covers the shapes; these are the exact one-liners from the issue.
    @Test func issueThirteenTemplates() {
        for template in ["{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
                         "{{ " + String(repeating: "(", count: 50_000) + "1" + String(repeating: ")", count: 50_000) + " }}",
                         String(repeating: "{% if true %}", count: 20_000) + "x" + String(repeating: "{% endif %}", count: 20_000)] {
            let text = errorText { _ = try ChatTemplate(template).render(messages: [("user", "hi")], addGenerationPrompt: true) }
            #expect(text.contains("exceeds the limit of"), "\(text.prefix(200))")
        }
    }
}
