import Foundation
import Testing
import TinaEval
import TinaTestSupport
import TinaTokenizers

/// Prompts equal lighteval's, rendered by transformers with the real DeepSeek-R1-Distill tokenizer
/// (tools/reference/make_eval_prompt_fixtures.py).
@Suite struct PromptTests {
    struct Case: Decodable {
        let file: String, id: String, problem: String, query: String, text: String
        let ids: [Int], ids_lighteval: [Int]
    }
    struct Fixture: Decodable { let template: String; let cases: [Case] }

    func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: Paths.fixture("eval/prompts.json"))))
    }

    @Test func queryTextEqualsTheRecipe() throws {
        let f = try fixture()
        #expect(f.cases.count >= 5)
        for c in f.cases { #expect(MathPrompt.query(c.problem) == c.query, "\(c.id)") }
        #expect(MathPrompt.template.contains("clearly.  The last line"))
    }

    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels)))
    func renderedTextAndIDsEqualTransformers() throws {
        let f = try fixture()
        let tokenizer = try Tokenizer.load(path: Paths.r1Directory)
        // The built-in current DeepSeek-R1 template and the official text the fixture used render the same prompt.
        for template in [try #require(try ChatTemplate.named("deepseek-r1")), try ChatTemplate(f.template)] {
            for c in f.cases {
                let plain = try ChatPromptRenderer(tokenizer: tokenizer, template: template).render(problem: c.problem)
                #expect(plain.text == c.text, "\(c.id)")
                #expect(plain.ids == c.ids, "\(c.id)")
                let lighteval = try ChatPromptRenderer(tokenizer: tokenizer, template: template, addSpecialTokens: true).render(problem: c.problem)
                #expect(lighteval.ids == c.ids_lighteval, "\(c.id)")
            }
        }
    }
}
