import Foundation
import TinaCore
import TinaTokenizers

/// SFT examples from JSONL: `{"prompt": ..., "completion": ...}` (the prompt sent as one user message through the
/// chat template, with the generation prompt) or `{"messages": [{"role", "content"}, ...]}` (everything before the
/// last assistant message is the prompt). The completion ends with the EOS token. Lines may end in LF or CRLF;
/// blank lines are skipped; a bad line is reported with its number and skipped, or fails the load.
public enum SFTData {
    public struct Loaded: Sendable {
        public var examples: [SFTExample]
        /// "FILE:LINE: reason" for each skipped line.
        public var problems: [String]
        /// Examples dropped for being longer than the length limit.
        public var tooLong: Int
    }

    public static func load(path: String, tokenizer: Tokenizer, template: ChatTemplate, maxLength: Int,
                            failOnError: Bool = false) throws -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TinaError.io(path: path, reason: "cannot read the SFT data file")
        }
        guard let eos = tokenizer.eosToken.flatMap({ tokenizer.id(of: $0) }) else {
            throw TinaError.missing(source: "tokenizer", what: "an EOS token to end completions with")
        }
        var loaded = Loaded(examples: [], problems: [], tooLong: 0)
        let lines = String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            do {
                let (messages, completion) = try parse(String(line))
                let prompt = try template.render(messages: messages, addGenerationPrompt: true,
                                                 bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken)
                let example = SFTExample(prompt: tokenizer.encode(prompt, addSpecialTokens: false),
                                         completion: tokenizer.encode(completion, addSpecialTokens: false) + [eos])
                if example.prompt.count + example.completion.count > maxLength { loaded.tooLong += 1; continue }
                loaded.examples.append(example)
            } catch {
                let problem = "\(path):\(index + 1): \(error)"
                if failOnError { throw TinaError.malformed(source: "\(path):\(index + 1)", reason: "\(error)") }
                loaded.problems.append(problem)
            }
        }
        guard !loaded.examples.isEmpty else {
            throw TinaError.malformed(source: path, reason: "no usable example (\(loaded.problems.count) bad lines, \(loaded.tooLong) too long)")
        }
        return loaded
    }

    /// (prompt messages, completion text) of one JSONL line.
    public static func parse(_ line: String) throws -> ([(role: String, content: String)], String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TinaError.invalidArgument("not a JSON object")
        }
        if let prompt = object["prompt"] as? String, let completion = object["completion"] as? String {
            return ([("user", prompt)], completion)
        }
        if let messages = object["messages"] as? [Any] {
            var parsed: [(role: String, content: String)] = []
            for (i, m) in messages.enumerated() {
                guard let m = m as? [String: Any], let role = m["role"] as? String, let content = m["content"] as? String else {
                    throw TinaError.invalidArgument("message \(i) needs string 'role' and 'content'")
                }
                parsed.append((role, content))
            }
            guard let last = parsed.last, last.role == "assistant", parsed.count >= 2 else {
                throw TinaError.invalidArgument("'messages' must end with an assistant message after at least one other")
            }
            return (Array(parsed.dropLast()), last.content)
        }
        throw TinaError.invalidArgument("needs 'prompt' and 'completion' strings, or 'messages'")
    }
}
