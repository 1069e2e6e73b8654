import Foundation
import Testing
import TinaCore
import TinaTokenizers

/// Structure-aware fuzzing of the JSON inputs a user hands Tina: messages files (rendered through two chat
/// templates) and tokenizer.json (loaded, then used to encode and decode). Each input loads and works, or fails
/// with a TinaError, within the hang bound.
@Suite struct InputFuzzTests {
    static let messageTemplate = """
    {% for m in messages %}{{ m|tojson }}{{ m['content'] }}{% for k, v in m|items %}{{ k }}={{ v }};{% endfor %}{% endfor %}
    """

    func messages(_ g: inout JSONGenerator) -> String {
        var text: String
        switch g.rng.int(8) {
        case 0: text = g.deep()
        case 1: text = g.value(4)
        default:
            text = "[" + (0..<g.rng.int(6)).map { _ in
                var fields: [String] = []
                if !g.rng.oneIn(8) { fields.append("\"role\": " + (g.rng.oneIn(6) ? g.value(1) : g.rng.pick(["\"user\"", "\"system\"", "\"assistant\"", "\"tool\""]))) }
                if !g.rng.oneIn(8) { fields.append("\"content\": " + (g.rng.oneIn(4) ? g.value(3) : g.string())) }
                if g.rng.oneIn(4) { fields.append("\"tool_calls\": " + g.value(3)) }
                return "{" + fields.shuffled(using: &g.rng).joined(separator: ", ") + "}"
            }.joined(separator: ", ") + "]"
        }
        if g.rng.oneIn(5) { text = g.mutate(text) }
        return text
    }

    @Test func messagesFilesRenderOrFailCleanly() throws {
        var g = JSONGenerator(rng: FuzzBudget.rng(1302))
        let templates = [try #require(try ChatTemplate.named("deepseek-r1")), try ChatTemplate(Self.messageTemplate)]
        var report = FuzzReport(format: "messages JSON")
        for i in 0..<FuzzBudget.iterations(3000) {
            let json = messages(&g)
            report.run(json) {
                do {
                    _ = try templates[i % 2].render(messagesJSON: json, addGenerationPrompt: true, bosToken: "<s>", source: "fuzz.json")
                    return true
                } catch let error as TinaError {
                    if !"\(error)".contains("fuzz.json") && !"\(error)".contains("chat template") { Issue.record("unnamed input: \(error)") }
                    return false
                } catch {
                    Issue.record("not a TinaError: \(error) for \(json.prefix(200).debugDescription)")
                    return false
                }
            }
        }
        report.printSummary()
        #expect(report.accepted > report.inputs / 10 && report.rejected > report.inputs / 10)
        #expect(report.slowest < FuzzBudget.hangSeconds, "\(report.slowestInput)")
    }

    /// A typed component ({"type": ...}) from the kinds tokenizer.json uses, with fields of random types.
    /// `sane`: the kinds and field types tokenizer.json really uses (the input should load); otherwise anything.
    func component(_ g: inout JSONGenerator, _ kinds: [String], depth: Int, sane: Bool) -> String {
        if !sane && g.rng.oneIn(6) { return g.value(2) }
        let kind = g.rng.pick(sane ? kinds : kinds + ["Bogus"])
        var fields = ["\"type\": \"\(kind)\""]
        switch kind {
        case "Sequence":
            let own = kinds.contains("NFC") ? "normalizers" : kinds.contains("Digits") ? "pretokenizers" : kinds.contains("Fuse") ? "decoders" : "processors"
            let key = sane ? own : g.rng.pick(["normalizers", "pretokenizers", "decoders", "processors"])
            fields.append("\"\(key)\": [" + (0..<g.rng.int(4)).map { _ in depth > 0 || sane ? component(&g, kinds, depth: max(0, depth - 1), sane: sane) : g.value(1) }.joined(separator: ",") + "]")
        case "Split":
            let patterns = ["{\"String\": \" \"}", "{\"Regex\": \"\\\\s+\"}", "{\"Regex\": \"\\\\p{L}+|\\\\d\"}"]
            fields.append("\"pattern\": " + g.rng.pick(sane ? patterns : patterns + ["{\"Regex\": \"(\"}", "{}", g.value(1)]))
            let behaviors = ["\"Isolated\"", "\"Removed\"", "\"MergedWithPrevious\"", "\"Contiguous\""]
            fields.append("\"behavior\": " + g.rng.pick(sane ? behaviors : behaviors + ["\"Nope\"", g.value(0)]))
            fields.append("\"invert\": " + g.rng.pick(sane ? ["true", "false"] : ["true", "false", g.value(0)]))
        case "Replace":
            fields.append("\"pattern\": " + g.rng.pick(sane ? ["{\"String\": \" \"}", "{\"Regex\": \"a\"}"] : ["{\"String\": \" \"}", g.value(1)]))
            fields.append("\"content\": " + g.rng.pick(sane ? ["\"▁\"", "\"\""] : ["\"▁\"", g.value(0)]))
        case "TemplateProcessing":
            let single = "[{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}]"
            fields.append("\"single\": " + (sane ? single : g.rng.pick([single, g.value(3)])))
            let special = "{\"<s>\": {\"id\": \"<s>\", \"ids\": [5], \"tokens\": [\"<s>\"]}}"
            fields.append("\"special_tokens\": " + (sane ? special : g.rng.pick([special, "{\"<s>\": {\"ids\": [99999999999]}}", g.value(3)])))
        default:
            let valid = ["add_prefix_space": "true", "use_regex": "false", "prepend": "\"▁\"", "content": "\" \"", "start": "1",
                         "stop": "0", "individual_digits": "true", "strip_left": "false"]
            for (key, value) in valid.sorted(by: { $0.key < $1.key }) where g.rng.oneIn(3) {
                fields.append("\"\(key)\": " + (sane ? value : g.value(1)))
            }
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    func tokenizerJSON(_ g: inout JSONGenerator) -> String {
        let sane = !g.rng.oneIn(3)
        if sane { return saneTokenizerJSON(&g) }
        let vocabSize = g.rng.oneIn(8) ? 0 : 1 + g.rng.int(12)
        let pieces = ["a", "b", "ab", "Ġ", "Ġa", "<s>", "é", "Ã", "abab", "", "\\u0000"]
        var vocab = (0..<vocabSize).map { i in "\"\(pieces[i % pieces.count])\(i >= pieces.count ? String(i) : "")\": \(g.rng.oneIn(10) ? g.number() : String(i))" }
        if g.rng.oneIn(10) { vocab.append("\"dup\": \(g.rng.pick(["0", "-1", "99999999999", "1.5", "\"x\""]))") }
        let merges = (0..<g.rng.int(5)).map { _ in g.rng.pick(["\"a b\"", "[\"a\", \"b\"]", "\"ab\"", "[\"a\"]", "\"Ġ a\"", "\"x y\"", g.value(1)]) }
        let added = (0..<g.rng.int(3)).map { _ in
            "{\"id\": \(g.rng.oneIn(4) ? g.number() : String(g.rng.int(20))), \"content\": \(g.rng.oneIn(5) ? g.value(0) : "\"<s>\""), \"special\": \(g.rng.pick(["true", "false", "1"]))}"
        }
        var fields = ["\"model\": {\"type\": \(g.rng.oneIn(10) ? "\"WordPiece\"" : "\"BPE\""), \"vocab\": {\(vocab.joined(separator: ", "))}, "
                      + "\"merges\": [\(merges.joined(separator: ", "))], \"byte_fallback\": \(g.rng.pick(["true", "false"])), "
                      + "\"unk_token\": \(g.rng.pick(["null", "\"a\"", "\"zz\"", "7"]))}",
                      "\"added_tokens\": [\(added.joined(separator: ", "))]"]
        let d = g.rng.oneIn(10) ? 30 : 2
        if g.rng.oneIn(2) { fields.append("\"normalizer\": " + component(&g, ["NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Prepend", "Replace", "Sequence", "Strip"], depth: d, sane: false)) }
        if g.rng.oneIn(2) { fields.append("\"pre_tokenizer\": " + component(&g, ["ByteLevel", "Split", "Digits", "Sequence"], depth: d, sane: false)) }
        if g.rng.oneIn(2) { fields.append("\"decoder\": " + component(&g, ["ByteLevel", "ByteFallback", "Fuse", "Replace", "Strip", "Sequence"], depth: d, sane: false)) }
        if g.rng.oneIn(2) { fields.append("\"post_processor\": " + component(&g, ["TemplateProcessing", "ByteLevel", "Sequence"], depth: d, sane: false)) }
        var text = "{" + fields.shuffled(using: &g.rng).joined(separator: ", ") + "}"
        if g.rng.oneIn(6) { text = g.mutate(text) }
        if g.rng.oneIn(30) { text = g.deep() }
        return text
    }

    /// A tokenizer.json that follows the format (it should load), with random components and hostile sizes.
    func saneTokenizerJSON(_ g: inout JSONGenerator) -> String {
        let extra = (0..<g.rng.size(huge: 3000)).map { "\"t\($0)\": \(6 + $0)" }
        let vocab = ["\"a\": 0", "\"b\": 1", "\"ab\": 2", "\"Ġ\": 3", "\"Ġab\": 4", "\"<s>\": 5"] + extra
        let merges = g.rng.pick(["\"a b\", \"Ġ ab\"", "[\"a\", \"b\"]", ""])
        var fields = ["\"model\": {\"type\": \"BPE\", \"vocab\": {\(vocab.joined(separator: ", "))}, \"merges\": [\(merges)]}",
                      "\"added_tokens\": [{\"id\": 5, \"content\": \"<s>\", \"special\": true}]"]
        let d = g.rng.oneIn(10) ? 40 : 2
        if g.rng.oneIn(2) { fields.append("\"normalizer\": " + component(&g, ["NFC", "NFKC", "Lowercase", "Prepend", "Replace", "Sequence", "Strip"], depth: d, sane: true)) }
        fields.append("\"pre_tokenizer\": " + component(&g, ["ByteLevel", "Split", "Digits", "Sequence"], depth: d, sane: true))
        fields.append("\"decoder\": " + component(&g, ["ByteLevel", "Fuse", "Replace", "Strip", "Sequence"], depth: d, sane: true))
        if g.rng.oneIn(2) { fields.append("\"post_processor\": " + component(&g, ["TemplateProcessing", "ByteLevel", "Sequence"], depth: d, sane: true)) }
        var text = "{" + fields.shuffled(using: &g.rng).joined(separator: ", ") + "}"
        if g.rng.oneIn(8) { text = g.mutate(text) }
        return text
    }

    @Test func tokenizerFilesLoadAndWorkOrFailCleanly() throws {
        var g = JSONGenerator(rng: FuzzBudget.rng(1303))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var report = FuzzReport(format: "tokenizer.json")
        let texts = ["", "ab ab", "<s>a b<s>", "é Ã 😀 \u{0}", String(repeating: "ab ", count: 300), "  \n\t 123 abc"]
        for _ in 0..<FuzzBudget.iterations(600) {
            let json = tokenizerJSON(&g)
            try json.write(toFile: dir + "/tokenizer.json", atomically: false, encoding: .utf8)
            report.run(json) {
                do {
                    let t = try Tokenizer.load(path: dir)
                    for text in texts {
                        let ids = t.encode(text)
                        _ = t.decode(ids)
                        _ = t.decode(ids, skipSpecialTokens: true)
                    }
                    _ = t.decode([-1, 0, 1, 5, t.vocabularySize, Int.max, Int.min])
                    var stream = StreamingDecoder(tokenizer: t, skipSpecialTokens: false)
                    for id in [0, 1, 2, 3, 99, -5] { _ = stream.add(id) }
                    _ = stream.finish()
                    return true
                } catch is TinaError {
                    return false
                } catch {
                    Issue.record("not a TinaError: \(error) for \(json.prefix(200).debugDescription)")
                    return false
                }
            }
        }
        report.printSummary()
        #expect(report.accepted > report.inputs / 4 && report.rejected > report.inputs / 10, "\(report)")
        #expect(report.slowest < FuzzBudget.hangSeconds, "\(report.slowestInput)")
    }
}
