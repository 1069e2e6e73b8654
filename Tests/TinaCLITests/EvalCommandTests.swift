import Foundation
import Testing
import TinaTestSupport

/// `tina eval`: a wrong benchmark file fails before any model is opened, naming its line and field.
@Suite struct EvalCommandTests {
    func evalWithData(_ text: String) throws -> CLI.Result {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.write(toFile: dir + "/bench.jsonl", atomically: true, encoding: .utf8)
        return try CLI.run(["eval", "--model", dir + "/no-model", "--data", dir + "/bench.jsonl", "--out", dir + "/out"])
    }

    @Test func wrongBenchmarkFilesNameLineAndField() throws {
        let missing = try evalWithData(#"{"problem": "a", "answer": "1"}"# + "\n" + #"{"problem": "b"}"# + "\n")
        #expect(missing.status == 1 && missing.stderr.contains("bench.jsonl:2: missing answer field \"answer\""), "\(missing.stderr)")
        let empty = try evalWithData("")
        #expect(empty.status == 1 && empty.stderr.contains("bench.jsonl: malformed: the file is empty"), "\(empty.stderr)")
        let bad = try evalWithData(#"{"problem": "a", "answer": "1"}"# + "\n{nope\n")
        #expect(bad.status == 1 && bad.stderr.contains("bench.jsonl:2: malformed: bad JSON line"), "\(bad.stderr)")
    }

    @Test func usageErrors() throws {
        let unknown = try CLI.run(["eval", "--model", "m", "--benchmarks", "gsm8k", "--out", "o"])
        #expect(unknown.status == 2 && unknown.stderr.contains("gsm8k") && unknown.stderr.contains("aime24"), "\(unknown.stderr)")
        let one = try CLI.run(["eval", "compare", "a"])
        #expect(one.status == 2 && one.stderr.contains("at least two"), "\(one.stderr)")
        let badN = try CLI.run(["eval", "--model", "m", "--n", "0", "--out", "o"])
        #expect(badN.status == 2 && badN.stderr.contains("--n"), "\(badN.stderr)")
        let notRuns = try CLI.run(["eval", "compare", "/nonexistent-a", "/nonexistent-b"])
        #expect(notRuns.status == 1 && notRuns.stderr.contains("no summary.json"), "\(notRuns.stderr)")
    }
}
