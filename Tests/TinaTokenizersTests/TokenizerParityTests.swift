import Foundation
import Testing
import TinaTokenizers

/// Token ids and decodes identical to HF tokenizers (fixtures from tools/reference/make_tokenizer_fixtures.py).
/// The real tokenizers live in ../shared/models; each test prints a skip line when they are absent.
@Suite struct TokenizerParityTests {
    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels)), arguments: ["r1", "smollm2"])
    func hardCasesMatchHF(name: String) throws {
        guard let tokenizer = Shared.tokenizer(name) else { print("skipping \(name) tokenizer parity: ../shared/models not found"); return }
        let fixture = try readJSON(Paths.fixture("tokenizers/hard_cases.json"))
        let set = try #require(fixture[name] as? [String: Any])
        let cases = try #require(set["cases"] as? [[String: Any]])
        #expect(cases.count > 60)
        for c in cases {
            let text = try #require(c["text"] as? String)
            #expect(tokenizer.encode(text) == c["ids"] as? [Int], "encode \(text.debugDescription)")
            #expect(tokenizer.encode(text, addSpecialTokens: false) == c["ids_no_special"] as? [Int], "encode (no special) \(text.debugDescription)")
            let ids = c["ids"] as? [Int] ?? []
            #expect(tokenizer.decode(ids) == c["decoded"] as? String, "decode \(text.debugDescription)")
            #expect(tokenizer.decode(ids, skipSpecialTokens: true) == c["decoded_skip"] as? String, "decode skip \(text.debugDescription)")
        }
        for p in try #require(set["partial_decodes"] as? [[String: Any]]) {
            let ids = try #require(p["ids"] as? [Int])
            #expect(tokenizer.decode(ids) == p["decoded"] as? String, "partial decode \(ids)")
        }
    }

    /// Every problem, answer and solution of ../shared/data, both tokenizers: 100% identical ids, and
    /// decode(encode(x)) == x after normalization.
    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels)), arguments: ["r1", "smollm2"])
    func wholeCorpusMatchesHF(name: String) throws {
        guard let tokenizer = Shared.tokenizer(name) else { print("skipping \(name) corpus parity: ../shared/models not found"); return }
        let fixture = try readJSON(Paths.fixture("tokenizers/corpus.json"))
        let fields = try #require(fixture["fields"] as? [String])
        let files = try #require(fixture[name] as? [String: [String]])
        var checked = 0, mismatches: [String] = [], roundTripFailures: [String] = []
        for (file, expectedRows) in files.sorted(by: { $0.key < $1.key }) {
            let path = Paths.shared + "/data/" + file
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                print("skipping \(file): not found under \(Paths.shared)/data")
                continue
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.count == expectedRows.count, "\(file) row count")
            for (row, line) in lines.enumerated() where row < expectedRows.count {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let expected = expectedRows[row].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                for (f, field) in fields.enumerated() {
                    guard let value = object[field] as? String else { continue }
                    let ids = tokenizer.encode(value, addSpecialTokens: false)
                    let actual = String(format: "%08x:%d", fnv1a(ids), ids.count)
                    checked += 1
                    if f < expected.count, actual != expected[f] { mismatches.append("\(file):\(row + 1).\(field)") }
                    let normalized = name == "r1" ? value.precomposedStringWithCanonicalMapping : value
                    if tokenizer.decode(ids) != normalized { roundTripFailures.append("\(file):\(row + 1).\(field)") }
                }
            }
        }
        print("\(name): \(checked) texts checked, \(mismatches.count) mismatches")
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(10))")
        #expect(roundTripFailures.isEmpty, "first round-trip failures: \(roundTripFailures.prefix(10))")
    }

    @Test(.enabled(if: SharedFiles.modelsPresent, Comment(rawValue: SharedFiles.missingModels)), arguments: ["r1", "smollm2"])
    func streamingDecodeEqualsOneShot(name: String) throws {
        guard let tokenizer = Shared.tokenizer(name) else { print("skipping \(name) streaming: ../shared/models not found"); return }
        let fixture = try readJSON(Paths.fixture("tokenizers/hard_cases.json"))
        let cases = try #require((fixture[name] as? [String: Any])?["cases"] as? [[String: Any]])
        for c in cases {
            let ids = c["ids"] as? [Int] ?? []
            var stream = StreamingDecoder(tokenizer: tokenizer)
            var streamed = ""
            for id in ids { if let piece = stream.add(id) { streamed += piece } }
            streamed += stream.finish()
            #expect(streamed == tokenizer.decode(ids), "\(c["text"] ?? "")")
        }
    }
}
