import Foundation
import TinaTokenizers
@_exported import TinaTestSupport

/// Writes `text` to a fresh temporary file named `name` and returns its path (the directory is left for the OS).
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let path = try temporaryDirectory() + "/" + name
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The minimal keys a recipe needs, plus `extra` lines.
func recipeText(_ extra: String = "") -> String {
    "model_name_or_path: models/m\ndataset_name: data/d.jsonl\n" + extra
}

/// Every shipped recipe file.
func shippedRecipes() throws -> [String] {
    let root = Paths.repository.appendingPathComponent("recipes").path
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }.sorted().map { root + "/" + $0 }
}

/// A character-level tokenizer (one token per character of a small alphabet, "?" for the rest) with the
/// DeepSeek-R1 chat markers as added tokens: token counts equal character counts, which makes truncation easy to check.
func characterTokenizer() throws -> Tokenizer {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?+-*/=$<>\n()[]{}\\'\"")
    var vocab: [String: Int] = [:]
    for (i, c) in alphabet.enumerated() { vocab[String(c)] = i }
    let added = ["<s>", "</s>", "<｜User｜>", "<｜Assistant｜>"].enumerated().map { i, content in
        ["id": alphabet.count + i, "content": content, "special": true] as [String: Any]
    }
    let json: [String: Any] = ["model": ["type": "BPE", "vocab": vocab, "merges": [String](), "unk_token": "?"], "added_tokens": added]
    let directory = try temporaryDirectory()
    try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: directory + "/tokenizer.json"))
    try #"{"bos_token": "<s>", "eos_token": "</s>"}"#.write(toFile: directory + "/tokenizer_config.json", atomically: true, encoding: .utf8)
    return try Tokenizer.load(path: directory)
}
