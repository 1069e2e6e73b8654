import Foundation
import Testing
import TinaTestSupport

/// README "Errors and exit codes": 0 success, 1 runtime error, 2 usage error, 3 `grade` incorrect; runtime
/// errors name the subcommand, the input and the reason, without a usage screen or a raw NSError.
@Suite struct ExitCodeTests {
    func expectRuntimeError(_ r: CLI.Result, command: String, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 1, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("tina \(command): error: "), "\(r.stderr)", sourceLocation: sourceLocation)
        for m in mentions { #expect(r.stderr.contains(m), "\(m) not in \(r.stderr)", sourceLocation: sourceLocation) }
        #expect(!r.stderr.contains("Usage:") && !r.stderr.contains("Error Domain") && !r.stderr.contains("NSCocoaErrorDomain"),
                "\(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func usageErrorsExitTwoWithTheSubcommandsUsage() throws {
        for args in [["grade", "--bogus"], ["grade", "--gold", "1"], ["grade", "--gold", "1", "--pred", "1", "--input", "x.jsonl"],
                     ["grade", "--gold", "1", "--pred", "1", "--mode", "nope"], ["tokenize", "--tokenizer", "x"],
                     ["detokenize", "--tokenizer", "x", "--token-ids", "a,b"], ["inspect"], ["nosuchcommand"]] {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args): status \(r.status): \(r.stderr)")
            if args[0] != "nosuchcommand" { #expect(r.stderr.contains("tina \(args[0])"), "\(args): \(r.stderr)") }
        }
        #expect(try CLI.run(["--help"]).status == 0)
        #expect(try CLI.run(["grade", "--help"]).status == 0)
    }

    @Test func runtimeErrorsExitOneAndNameTheInput() throws {
        let tokenizer = try CLI.tokenizerFolder()
        defer { try? FileManager.default.removeItem(atPath: tokenizer) }
        expectRuntimeError(try CLI.run(["inspect", "/nonexistent/model"]), command: "inspect", mentions: ["/nonexistent/model"])
        expectRuntimeError(try CLI.run(["tokenize", "--tokenizer", tokenizer, "--file", "/nonexistent/x.txt"]), command: "tokenize",
                           mentions: ["/nonexistent/x.txt"])
        expectRuntimeError(try CLI.run(["grade", "--input", "/nonexistent/pairs.jsonl"]), command: "grade", mentions: ["/nonexistent/pairs.jsonl"])
        expectRuntimeError(try CLI.run(["chat-template", "--tokenizer", tokenizer, "--messages", "/nonexistent/m.json", "--template", "deepseek-r1"]),
                           command: "chat-template", mentions: ["/nonexistent/m.json"])
    }

    @Test func gradeSeparatesIncorrectFromCouldNotGrade() throws {
        #expect(try CLI.run(["grade", "--gold", "$\\frac{1}{2}$", "--pred", "$0.5$"]).status == 0)
        #expect(try CLI.run(["grade", "--gold", "$\\frac{1}{2}$", "--pred", "$0.6$"]).status == 3)
        let deep = "\\boxed{" + String(repeating: "{", count: 130) + "\\frac{1}{2}" + String(repeating: "}", count: 130) + "^{150}}"
        expectRuntimeError(try CLI.run(["grade", "--gold", "$\\frac{1}{2}$", "--pred", deep]), command: "grade",
                           mentions: ["could not grade", "limit of 120"])
    }

    @Test func detokenizeRefusesUnknownIds() throws {
        let tokenizer = try CLI.tokenizerFolder()
        defer { try? FileManager.default.removeItem(atPath: tokenizer) }
        let ok = try CLI.run(["detokenize", "--tokenizer", tokenizer, "--token-ids", "0,1"])
        #expect(ok.status == 0 && ok.stdout == "ab\n", "\(ok)")
        expectRuntimeError(try CLI.run(["detokenize", "--tokenizer", tokenizer, "--token-ids", "0,99999"]), command: "detokenize",
                           mentions: ["99999"])
    }

    @Test func hostileTemplatesAndMessagesFailCleanly() throws {
        let hostile = "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"
        let tokenizer = try CLI.tokenizerFolder(chatTemplate: hostile)
        defer { try? FileManager.default.removeItem(atPath: tokenizer) }
        let messages = tokenizer + "/m.json"
        try #"[{"role": "user", "content": "hi"}]"#.write(toFile: messages, atomically: true, encoding: .utf8)
        // The folder's own template, no --template flag: this crashed with SIGSEGV.
        expectRuntimeError(try CLI.run(["chat-template", "--tokenizer", tokenizer, "--messages", messages]), command: "chat-template",
                           mentions: [tokenizer, "macro 'f'", "limit of"])
        let deep = tokenizer + "/deep.json"
        try (String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)).write(toFile: deep, atomically: true, encoding: .utf8)
        expectRuntimeError(try CLI.run(["chat-template", "--tokenizer", tokenizer, "--messages", deep, "--template", "deepseek-r1"]),
                           command: "chat-template", mentions: ["deep.json", "limit of 256"])
        let noContent = tokenizer + "/nocontent.json"
        try #"[{"role": "system", "content": "s"}, {"role": "user"}]"#.write(toFile: noContent, atomically: true, encoding: .utf8)
        expectRuntimeError(try CLI.run(["chat-template", "--tokenizer", tokenizer, "--messages", noContent, "--template", "deepseek-r1"]),
                           command: "chat-template", mentions: ["nocontent.json", "message 1", "content"])
    }

    @Test func inspectRefusesAnInvalidConfig() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Paths.fixture("tiny-qwen2/model.safetensors"), toPath: dir + "/model.safetensors")
        try #"{"model_type": "qwen2", "hidden_size": "wide"}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        expectRuntimeError(try CLI.run(["inspect", dir]), command: "inspect", mentions: ["config.json"])
        #expect(try CLI.run(["inspect", Paths.fixture("tiny-qwen2")]).status == 0)
        // A GGUF file's metadata is its config: one that describes no model is an error as well.
        expectRuntimeError(try CLI.run(["inspect", Paths.fixture("gguf/blocks.gguf")]), command: "inspect", mentions: ["blocks.gguf", "metadata"])
    }
}
