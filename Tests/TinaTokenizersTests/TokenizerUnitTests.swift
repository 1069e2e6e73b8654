import Foundation
import Testing
import TinaCore
import TinaTokenizers

@Suite struct TokenizerUnitTests {
    @Test func byteLevelAlphabetIsGPT2s() {
        #expect(ByteLevel.encode(Array(" hello\n".utf8)) == "Ġhello\u{010A}")
        #expect(ByteLevel.byteToScalar[33] == "!" && ByteLevel.byteToScalar[0] == "\u{0100}")
        #expect(Set(ByteLevel.byteToScalar).count == 256)
        for b in 0..<256 { #expect(ByteLevel.decode(String(ByteLevel.byteToScalar[b])) == [UInt8(b)]) }
    }

    /// The hand-written scanners and ICU running the same regexes (with Oniguruma's \s) cut text identically.
    @Test(arguments: [SplitPatterns.qwen2, SplitPatterns.gpt2])
    func scannersAgreeWithTheRegexEngine(pattern: String) throws {
        let scanner: SplitPattern = pattern == SplitPatterns.qwen2 ? .qwen2 : .gpt2
        let regex = try SplitPattern.onigurumaRegex(pattern)
        let fixture = try readJSON(Paths.fixture("tokenizers/hard_cases.json"))
        var texts = ((fixture["r1"] as? [String: Any])?["cases"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        texts += ["'S 'RE 'Ll x'VE", "a\n\n\nb", "x \n\n y", "  \n", "\u{000B}\u{0085} x"]
        for text in texts {
            #expect(scanner.split(text) == regex.split(text), "\(text.debugDescription)")
            #expect(scanner.split(text).joined() == text)
        }
    }

    func load(_ json: String) throws -> Tokenizer {
        let dir = NSTemporaryDirectory() + "tina-tok-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try json.write(toFile: dir + "/tokenizer.json", atomically: true, encoding: .utf8)
        return try Tokenizer.load(path: dir)
    }

    @Test func tinyTokenizerJSON() throws {
        let t = try load("""
        {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4, "<s>": 5},
                   "merges": ["a b", ["Ġ", "ab"]]},
         "added_tokens": [{"id": 5, "content": "<s>", "special": true}],
         "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
         "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}],
                            "special_tokens": {"<s>": {"id": "<s>", "ids": [5], "tokens": ["<s>"]}}},
         "decoder": {"type": "ByteLevel"}}
        """)
        #expect(t.encode("ab ab") == [5, 2, 4])
        #expect(t.encode("ab<s>b", addSpecialTokens: false) == [2, 5, 1])
        #expect(t.decode([5, 2, 4]) == "<s>ab ab")
        #expect(t.decode([5, 2, 4], skipSpecialTokens: true) == "ab ab")
        let detailed = t.encodeDetailed("ab ab", addSpecialTokens: false)
        #expect(detailed.map { [$0.start, $0.end] } == [[0, 2], [2, 5]])
    }

    @Test(arguments: [
        (#"{"model": {"type": "Unigram", "vocab": []}}"#, "model type 'Unigram'"),
        (#"{"model": {"type": "BPE", "merges": []}}"#, "model.vocab"),
        (#"{"model": {"type": "BPE", "vocab": {"a": 0}}}"#, "model.merges"),
        (#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a x"]}}"#, "missing from the vocab"),
        (#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}"#, "'ab', which is not in the vocab"),
        (#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [3]}}"#, "merge 0"),
        (#"{"model": {"type": "BPE", "vocab": {"a": "x"}, "merges": []}}"#, "not an integer id"),
        (#"{"model": {"type": "BPE", "vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Mystery"}}"#, "pre_tokenizer type 'Mystery'"),
        (#"{"model": {"type": "BPE", "vocab": {}, "merges": []}, "normalizer": {"type": "BertNormalizer"}}"#, "normalizer type 'BertNormalizer'"),
        ("[1, 2", "invalid JSON"), ("[1, 2]", "not a JSON object"),
    ])
    func malformedTokenizerJSONIsAClearError(json: String, expected: String) {
        let message = errorText { _ = try load(json) }
        #expect(message.contains(expected), "got: \(message)")
    }

    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels))) func ggufTokenizerIsSelfContained() throws {
        guard let t = Shared.smolLM2 else { print("skipping GGUF tokenizer: ../shared/models not found"); return }
        #expect(t.vocabularySize == 49152)
        #expect(t.bosToken == "<|im_start|>" && t.eosToken == "<|im_end|>")
        #expect(t.chatTemplate?.contains("<|im_start|>") == true)
        #expect(t.encode("<|im_start|>user\nHi<|im_end|>") == [1, 4093, 198, 26843, 2])  // transformers 5.24 with the GGUF file
    }
}
