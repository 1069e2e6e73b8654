import Foundation
import TinaTestSupport

/// Runs the `tina` binary built beside the test bundle and returns its exit status and output.
struct CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary = tinaBinary

    static func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a full pipe would block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A tiny byte-level BPE tokenizer folder (ids 0...5), optionally with a chat_template.jinja.
    static func tokenizerFolder(chatTemplate: String? = nil) throws -> String {
        let dir = try temporaryDirectory()
        try """
        {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4, "<s>": 5}, "merges": ["a b", "Ġ ab"]},
         "added_tokens": [{"id": 5, "content": "<s>", "special": true}],
         "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
         "decoder": {"type": "ByteLevel"}}
        """.write(toFile: dir + "/tokenizer.json", atomically: true, encoding: .utf8)
        if let chatTemplate { try chatTemplate.write(toFile: dir + "/chat_template.jinja", atomically: true, encoding: .utf8) }
        return dir
    }
}
