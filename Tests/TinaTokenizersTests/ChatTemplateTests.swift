import Foundation
import Testing
import TinaCore
import TinaTokenizers

/// Byte-for-byte parity with transformers' apply_chat_template (fixtures from
/// tools/reference/make_chat_template_fixtures.py): Tina's built-ins, SmolLM2's GGUF template, ChatML,
/// Llama-3 style and a feature template, with the generation prompt on and off.
@Suite struct ChatTemplateTests {
    struct Fixture {
        let bos: String, eos: String
        let templates: [String: String]
        let conversations: [String: String]
        let renders: [[String: Any]]

        init() throws {
            let json = try readJSON(Paths.fixture("tokenizers/chat_templates.json"))
            bos = json["bos_token"] as? String ?? ""
            eos = json["eos_token"] as? String ?? ""
            templates = json["templates"] as? [String: String] ?? [:]
            conversations = json["conversations"] as? [String: String] ?? [:]
            renders = json["renders"] as? [[String: Any]] ?? []
        }
    }

    @Test func rendersMatchTransformers() throws {
        let f = try Fixture()
        #expect(f.renders.count == 60)
        var compiled: [String: ChatTemplate] = [:]
        for r in f.renders {
            let name = try #require(r["template"] as? String)
            let conversation = try #require(r["conversation"] as? String)
            let generation = try #require(r["add_generation_prompt"] as? Bool)
            if compiled[name] == nil { compiled[name] = try ChatTemplate(try #require(f.templates[name])) }
            let text = try compiled[name]?.render(messagesJSON: try #require(f.conversations[conversation]), addGenerationPrompt: generation,
                                                  bosToken: f.bos, eosToken: f.eos)
            #expect(text == r["text"] as? String, "\(name) / \(conversation) / generation \(generation)")
        }
    }

    @Test func builtInTemplatesAreTheFixtureOnes() throws {
        let f = try Fixture()
        for name in ["deepseek-r1-early", "deepseek-r1"] {
            let builtIn = try #require(try ChatTemplate.named(name))
            for r in f.renders where r["template"] as? String == name {
                let text = try builtIn.render(messagesJSON: f.conversations[r["conversation"] as? String ?? ""] ?? "[]",
                                              addGenerationPrompt: r["add_generation_prompt"] as? Bool ?? false,
                                              bosToken: f.bos, eosToken: f.eos)
                #expect(text == r["text"] as? String, "\(name) / \(r["conversation"] ?? "")")
            }
        }
        // The Tina training prompt (tina-digest.md 1.2): "<bos>{system}<｜User｜>{problem}<｜Assistant｜>".
        let early = try #require(try ChatTemplate.named("deepseek-r1-early"))
        let text = try early.render(messages: [("system", "SYS"), ("user", "1+1?")], addGenerationPrompt: true, bosToken: "<s>")
        #expect(text == "<s>SYS<｜User｜>1+1?<｜Assistant｜>")
    }

    @Test func templateErrorsAreClear() throws {
        let raising = try ChatTemplate("{% if messages|length == 0 %}{{ raise_exception('need a message') }}{% endif %}")
        #expect(errorText { _ = try raising.render(messages: [], addGenerationPrompt: false) }.contains("need a message"))
        #expect(errorText { _ = try ChatTemplate("{% if x %}open") }.contains("endif"))
        #expect(errorText { _ = try ChatTemplate("{{ x ") }.contains("unclosed"))
        #expect(errorText { _ = try ChatTemplate("{% include 'x' %}") }.contains("include"))
        #expect(errorText { _ = try ChatTemplate("{{ 'a' | nosuchfilter }}").render(messages: [], addGenerationPrompt: false) }.contains("nosuchfilter"))
        #expect(errorText { _ = try ChatTemplate("x").render(messagesJSON: "{\"role\": 1}", addGenerationPrompt: false) }.contains("not a JSON array"))
    }
}
