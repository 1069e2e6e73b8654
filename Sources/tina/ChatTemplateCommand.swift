import ArgumentParser
import Foundation
import TinaGeneration
import TinaTokenizers

struct ChatTemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-template",
        abstract: "Render a conversation with a chat template (and optionally tokenize it).",
        discussion: """
        --messages is a JSON file holding an array of {"role": ..., "content": ...} objects. The template is the \
        tokenizer's own (tokenizer_config.json, chat_template.jinja or GGUF metadata) unless --template names a \
        built-in (\(ChatTemplate.builtIn.keys.sorted().joined(separator: ", "))) or a Jinja file.
        """)

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "JSON file with the messages.") var messages: String
    @Option(help: "Built-in template name or a Jinja template file.") var template: String?
    @Flag(name: .customLong("add-generation-prompt"), help: "End with the assistant's turn opener.") var addGenerationPrompt = false
    @Flag(help: "Print the token ids of the rendered text instead of the text.") var ids = false

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let chat = try resolveTemplate(template, tokenizer: tokenizer, tokenizerPath: tokenizerOptions.tokenizer)
        let json = try readTextFile(messages, what: "messages file")
        let text = try chat.render(messagesJSON: json, addGenerationPrompt: addGenerationPrompt,
                                   bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken, source: messages)
        if ids {
            print(tokenizer.encode(text, addSpecialTokens: false).map(String.init).joined(separator: " "))
        } else {
            print(text, terminator: "")
        }
    }
}

/// A built-in template by name, a template file, or the tokenizer's own template.
/// Template errors name the file they come from (`tokenizerPath` for the tokenizer's own template).
func resolveTemplate(_ choice: String?, tokenizer: Tokenizer, tokenizerPath: String) throws -> ChatTemplate {
    try ChatTemplate.resolve(choice, tokenizer: tokenizer, source: tokenizerPath)
}
