import Foundation
import TinaCore

/// One line of `tina generate --input`: {"prompt": text} | {"messages": [{role, content}...]} | {"token_ids": [...]},
/// with an optional "id" (string or number) carried to the output rows.
struct BatchInput {
    let index: Int
    let id: String?
    let tokens: [Int]

    static func read(_ path: String, builder: ChatPromptBuilder) throws -> [BatchInput] {
        let text = try readTextFile(path, what: "prompt file")
        var rows: [BatchInput] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let lineNumber = offset + 1
            func fail(_ reason: String) -> TinaError { .malformed(source: "\(path):\(lineNumber)", reason: reason) }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw fail("not a JSON object")
            }
            var id: String?
            if let value = object["id"] {
                if let s = value as? String { id = s } else if let n = value as? NSNumber { id = n.stringValue } else {
                    throw fail("'id' must be a string or a number")
                }
            }
            let tokens: [Int]
            if let prompt = object["prompt"] {
                guard let prompt = prompt as? String else { throw fail("'prompt' must be a string") }
                tokens = try builder.tokens(text: prompt)
            } else if let messages = object["messages"] {
                guard let list = messages as? [[String: Any]], !list.isEmpty else { throw fail("'messages' must be a non-empty list of objects") }
                tokens = try builder.tokens(messages: try list.enumerated().map { i, m in
                    guard let role = m["role"] as? String, let content = m["content"] as? String else {
                        throw fail("messages[\(i)] needs string 'role' and 'content'")
                    }
                    return (role, content)
                })
            } else if let ids = object["token_ids"] {
                guard let list = ids as? [NSNumber], !list.isEmpty else { throw fail("'token_ids' must be a non-empty list of integers") }
                tokens = list.map(\.intValue)
                guard tokens.allSatisfy({ $0 >= 0 }) else { throw fail("'token_ids' must be non-negative") }
            } else {
                throw fail("needs one of 'prompt', 'messages' or 'token_ids'")
            }
            guard !tokens.isEmpty else { throw fail("the prompt has no tokens") }
            rows.append(BatchInput(index: rows.count, id: id, tokens: tokens))
        }
        guard !rows.isEmpty else { throw TinaError.malformed(source: path, reason: "no prompts (the file is empty)") }
        return rows
    }
}

/// One row of `tina generate` batch output.
struct BatchOutput: Encodable {
    var index: Int
    var id: String?
    var sample: Int
    var text: String
    var tokens: [Int]
    var finish_reason: String
    var prompt_tokens: Int
    var log_probs: [Float]
}

/// JSON lines written to `path.partial` and renamed onto `path` by `close()`, so an interrupted run never leaves
/// a half-written output under the final name.
final class JSONLWriter {
    let path: String
    let partial: String
    private let handle: FileHandle
    private var closed = false

    init(path: String) throws {
        try checkWritable(path)
        self.path = path
        partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
            throw TinaError.io(path: partial, reason: "cannot create")
        }
        self.handle = handle
    }

    func write<T: Encodable>(_ row: T) throws {
        handle.write(Data((try jsonText(row, pretty: false) + "\n").utf8))
    }

    func close() throws {
        guard !closed else { return }
        closed = true
        try handle.close()
        _ = try? FileManager.default.removeItem(atPath: path)
        do {
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        } catch {
            throw TinaError.io(path: path, reason: "cannot move the finished output into place")
        }
    }

    deinit {
        if !closed {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partial)
        }
    }
}
