import Foundation
import Testing
import TinaCore
import TinaRL
import TinaTokenizers

/// Prompts: Tina's template and system prompts byte for byte, and TRL's left truncation.
@Suite struct PromptTests {
    @Test func leftTruncationKeepsTheLastTokens() {
        #expect(PromptBuilder.truncateLeft([1, 2, 3, 4, 5], to: 3) == [3, 4, 5])
        #expect(PromptBuilder.truncateLeft([1, 2], to: 3) == [1, 2])
        #expect(PromptBuilder.truncateLeft([1, 2, 3], to: nil) == [1, 2, 3])
    }

    @Test func tinaTemplateRendersSystemThenUser() throws {
        let tokenizer = try characterTokenizer()
        let recipe = try GRPORecipe.parse(yaml: recipeText("chat_template: reason\nsystem_prompt: Be brief.\nmax_prompt_length: 30\n"), source: "r")
        let builder = try PromptBuilder(recipe: recipe, tokenizer: tokenizer)
        let short = try builder.build("What is 2+3?")
        #expect(short.text == "<s>Be brief.<｜User｜>What is 2+3?<｜Assistant｜>")
        // One token per character; the markers are one token each.
        #expect(short.fullLength == 1 + 9 + 1 + 12 + 1 && !short.truncated && short.ids.first == tokenizer.id(of: "<s>"))

        let long = try builder.build(String(repeating: "x", count: 40))
        #expect(long.truncated && long.ids.count == 30 && long.fullLength == 1 + 9 + 1 + 40 + 1)
        #expect(long.ids.last == tokenizer.id(of: "<｜Assistant｜>") && long.ids.first == tokenizer.id(of: "x"))

        var stats = PromptStats()
        stats.record(short)
        stats.record(long)
        #expect(stats == { var s = PromptStats(); s.prompts = 2; s.truncated = 1; s.longest = 52; return s }())
    }

    @Test func systemPromptsFollowTinasRule() throws {
        #expect(SystemPrompts.openRS.contains("respectively, \ni.e.") && SystemPrompts.openRS.contains("\\boxed{{}} .\n"))
        #expect(SystemPrompts.openRS.hasPrefix("\nA conversation") && SystemPrompts.openR1.hasSuffix("</answer>\n"))
        func prompt(_ extra: String, dataset: String = "data/d.jsonl") throws -> String? {
            try GRPORecipe.parse(yaml: "model_name_or_path: m\ndataset_name: \(dataset)\n" + extra, source: "r").resolvedSystemPrompt
        }
        #expect(try prompt("", dataset: "data/open-rs/train.jsonl") == SystemPrompts.openRS)
        #expect(try prompt("", dataset: "data/open-s1/train.jsonl") == SystemPrompts.openR1)
        #expect(try prompt("system_prompt_preset: none\n") == nil)
        #expect(try prompt("system_prompt: hi\n") == "hi")
        let builder = PromptBuilder(tokenizer: try characterTokenizer(), template: try #require(try ChatTemplate.named("deepseek-r1-early")),
                                    systemPrompt: nil, maxPromptLength: 512)
        #expect(try builder.render("q") == "<s><｜User｜>q<｜Assistant｜>")
    }

    @Test func templateChoicesResolve() throws {
        let tokenizer = try characterTokenizer()
        #expect(try PromptBuilder.template(named: "deepseek-r1", tokenizer: tokenizer).source == ChatTemplate.builtIn["deepseek-r1"])
        let unknown = errorText { _ = try PromptBuilder.template(named: "deepseek-r1-erly", tokenizer: tokenizer) }
        #expect(unknown.contains("did you mean 'deepseek-r1-early'?"))
        #expect(errorText { _ = try PromptBuilder.template(named: nil, tokenizer: tokenizer) }.contains("set chat_template"))
        let file = try temporaryFile("t.jinja", "{% for m in messages %}[{{ m['content'] }}]{% endfor %}")
        #expect(try PromptBuilder(tokenizer: tokenizer, template: PromptBuilder.template(named: file, tokenizer: tokenizer),
                                  systemPrompt: "s", maxPromptLength: nil).render("u") == "[s][u]")
    }

    @Test(.enabled(if: SharedFiles.modelsPresent && SharedFiles.dataPresent, Comment(rawValue: SharedFiles.missingModels + " or " + SharedFiles.missingData)))
    func realLIMRPromptWithTheR1Tokenizer() throws {
        let tokenizer = try Tokenizer.load(path: Paths.r1Directory)
        let recipe = try GRPORecipe.load(path: Paths.repository.appendingPathComponent("recipes/tina/limr.yaml").path)
        let builder = try PromptBuilder(recipe: recipe, tokenizer: tokenizer)
        let example = try GRPODataset.load(name: Paths.shared + "/data/train_limr.jsonl").examples[0]
        let prompt = try builder.build(example.problem)
        #expect(prompt.text == "<｜begin▁of▁sentence｜>" + SystemPrompts.openR1 + "<｜User｜>" + example.problem + "<｜Assistant｜>")
        #expect(prompt.ids.first == 151646 && prompt.ids.last == 151645 && !prompt.truncated)
    }
}
