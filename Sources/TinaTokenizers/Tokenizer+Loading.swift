import Foundation
import TinaCore
import TinaFormats

extension Tokenizer {
    /// Loads `tokenizer.json` from a model directory (or the file itself), with `tokenizer_config.json`
    /// beside it for special tokens, `add_bos_token`/`add_eos_token` and the chat template.
    public static func load(path: String) throws -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TinaError.io(path: path, reason: "no such file or directory")
        }
        if !isDirectory.boolValue && path.hasSuffix(".gguf") { return try from(gguf: try GGUFFile(path: path)) }
        let directory = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let file = isDirectory.boolValue ? path + "/tokenizer.json" : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TinaError.io(path: file, reason: "cannot read tokenizer.json")
        }
        var config: [String: Any] = [:]
        let configPath = directory + "/tokenizer_config.json"
        if let configData = FileManager.default.contents(atPath: configPath) {
            guard let object = try jsonObject(configData, source: configPath) as? [String: Any] else {
                throw TinaError.malformed(source: configPath, reason: "not a JSON object")
            }
            config = object
        }
        var template = config["chat_template"] as? String
        if let jinja = try? String(contentsOfFile: directory + "/chat_template.jinja", encoding: .utf8) { template = jinja }
        return try fromJSON(data, config: config, chatTemplate: template, source: file)
    }

    /// Token strings in tokenizer_config.json may be plain strings or {"content": ...} objects.
    static func tokenString(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        return (value as? [String: Any])?["content"] as? String
    }

    static func fromJSON(_ data: Data, config: [String: Any], chatTemplate: String?, source: String) throws -> Tokenizer {
        guard let root = try jsonObject(data, source: source) as? [String: Any] else {
            throw TinaError.malformed(source: source, reason: "not a JSON object")
        }
        guard let modelObject = root["model"] as? [String: Any] else {
            throw TinaError.missing(source: source, what: "field 'model'")
        }
        let type = modelObject["type"] as? String ?? "BPE"
        guard type == "BPE" else { throw TinaError.unsupported(source: source, reason: "model type '\(type)' (only BPE)") }
        guard let vocabObject = modelObject["vocab"] as? [String: Any] else {
            throw TinaError.missing(source: source, what: "field 'model.vocab'")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(vocabObject.count)
        for (token, value) in vocabObject {
            guard let id = jsonInteger(value) else { throw TinaError.malformed(source: source, reason: "vocab entry '\(token)' is not an integer id") }
            vocab[token] = id
        }
        guard let mergeList = modelObject["merges"] as? [Any] else {
            throw TinaError.missing(source: source, what: "field 'model.merges'")
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(mergeList.count)
        for (i, item) in mergeList.enumerated() {
            if let pair = item as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else if let text = item as? String, let space = text.firstIndex(of: " ") {
                merges.append((String(text[..<space]), String(text[text.index(after: space)...])))
            } else {
                throw TinaError.malformed(source: source, reason: "merge \(i) is neither \"a b\" nor [\"a\", \"b\"]")
            }
        }
        let model = try BPE(vocab: vocab, merges: merges, ignoreMerges: modelObject["ignore_merges"] as? Bool ?? false,
                            byteFallback: modelObject["byte_fallback"] as? Bool ?? false,
                            unknownToken: modelObject["unk_token"] as? String, source: source)
        var added: [AddedToken] = []
        for item in root["added_tokens"] as? [[String: Any]] ?? [] {
            guard let id = jsonInteger(item["id"] as Any), let content = item["content"] as? String else {
                throw TinaError.malformed(source: source, reason: "added token without id or content")
            }
            added.append(AddedToken(id: id, content: content, special: item["special"] as? Bool ?? false,
                                    lstrip: item["lstrip"] as? Bool ?? false, rstrip: item["rstrip"] as? Bool ?? false,
                                    singleWord: item["single_word"] as? Bool ?? false, normalized: item["normalized"] as? Bool ?? false))
        }
        var post = try PostProcessor.parse(root["post_processor"], source: source)
        let bos = tokenString(config["bos_token"]), eos = tokenString(config["eos_token"])
        // transformers rebuilds the template of Llama-style tokenizers from add_bos_token / add_eos_token.
        if let addBos = config["add_bos_token"] as? Bool, (config["tokenizer_class"] as? String ?? "").hasPrefix("Llama") {
            let addEos = config["add_eos_token"] as? Bool ?? false
            let vocabID = { (t: String?) -> Int? in t.flatMap { name in added.first { $0.content == name }?.id ?? vocab[name] } }
            post = PostProcessor(prefix: addBos ? vocabID(bos).map { [$0] } ?? [] : [],
                                 suffix: addEos ? vocabID(eos).map { [$0] } ?? [] : [])
        }
        return Tokenizer(model: model, addedTokens: added,
                         normalizer: try Normalizer.parse(root["normalizer"], source: source),
                         preTokenizer: try PreTokenizer.parse(root["pre_tokenizer"], source: source),
                         postProcessor: post, decoder: try TokenDecoder.parse(root["decoder"], source: source),
                         bosToken: bos, eosToken: eos, chatTemplate: chatTemplate)
    }

    /// The tokenizer stored in GGUF metadata (`tokenizer.ggml.*`, model "gpt2": byte-level BPE). Control and
    /// user-defined tokens become added tokens (control ones special), as transformers' GGUF converter does.
    public static func from(gguf file: GGUFFile) throws -> Tokenizer {
        let source = file.source
        guard let model = file.value("tokenizer.ggml.model")?.string else {
            throw TinaError.missing(source: source, what: "metadata 'tokenizer.ggml.model'")
        }
        guard model == "gpt2" else { throw TinaError.unsupported(source: source, reason: "GGUF tokenizer model '\(model)' (only gpt2)") }
        guard let tokenValues = file.value("tokenizer.ggml.tokens")?.array, let mergeValues = file.value("tokenizer.ggml.merges")?.array else {
            throw TinaError.missing(source: source, what: "metadata 'tokenizer.ggml.tokens' or 'tokenizer.ggml.merges'")
        }
        let tokens = try tokenValues.enumerated().map { i, v -> String in
            guard let s = v.string else { throw TinaError.malformed(source: source, reason: "tokenizer.ggml.tokens[\(i)] is not a string") }
            return s
        }
        let types = file.value("tokenizer.ggml.token_type")?.array?.map { $0.int ?? 1 } ?? []
        var vocab: [String: Int] = [:]
        for (i, t) in tokens.enumerated() where vocab[t] == nil { vocab[t] = i }
        let merges = try mergeValues.enumerated().map { i, v -> (String, String) in
            guard let text = v.string, let space = text.firstIndex(of: " ") else {
                throw TinaError.malformed(source: source, reason: "tokenizer.ggml.merges[\(i)] is not \"a b\"")
            }
            return (String(text[..<space]), String(text[text.index(after: space)...]))
        }
        let bpe = try BPE(vocab: vocab, merges: merges, source: source)
        var added: [AddedToken] = []
        for (i, t) in tokens.enumerated() where i < types.count && (types[i] == 3 || types[i] == 4) {
            added.append(AddedToken(id: i, content: t, special: types[i] == 3))
        }
        func name(_ key: String) -> String? {
            file.value(key)?.int.flatMap { $0 >= 0 && $0 < tokens.count ? tokens[$0] : nil }
        }
        let pre = file.value("tokenizer.ggml.pre")?.string
        let split: PreTokenizer = pre == "qwen2" || pre == "deepseek-r1-qwen"
            ? .sequence([.split(.qwen2, behavior: .isolated, invert: false), .byteLevel(addPrefixSpace: false, useRegex: false)])
            : .byteLevel(addPrefixSpace: false, useRegex: true)
        var prefix: [Int] = []
        if file.value("tokenizer.ggml.add_bos_token")?.bool == true, let bos = file.value("tokenizer.ggml.bos_token_id")?.int { prefix = [bos] }
        return Tokenizer(model: bpe, addedTokens: added, normalizer: nil, preTokenizer: split,
                         postProcessor: PostProcessor(prefix: prefix), decoder: .byteLevel,
                         bosToken: name("tokenizer.ggml.bos_token_id"), eosToken: name("tokenizer.ggml.eos_token_id"),
                         chatTemplate: file.value("tokenizer.chat_template")?.string)
    }
}

/// Foundation's JSON reader, with its errors (invalid syntax, nesting past its depth limit of 512) turned
/// into a TinaError naming the file instead of a raw NSError.
func jsonObject(_ data: Data, source: String) throws -> Any {
    do {
        return try JSONSerialization.jsonObject(with: data)
    } catch {
        throw TinaError.malformed(source: source, reason: "invalid JSON (bad syntax, or arrays/objects nested deeper than 512 levels)")
    }
}

/// An integer from JSONSerialization output (not a boolean, not a fraction).
func jsonInteger(_ value: Any) -> Int? {
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
    let d = number.doubleValue
    guard d.rounded() == d, abs(d) < 9e15 else { return nil }
    return number.intValue
}
