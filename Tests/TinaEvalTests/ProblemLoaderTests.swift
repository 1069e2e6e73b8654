import Foundation
import Testing
import TinaCore
import TinaEval
import TinaTestSupport

/// Benchmark files: the six shipped sets load; a wrong file fails naming its line and field.
@Suite struct ProblemLoaderTests {
    func parseError(_ text: String) -> String {
        errorText { _ = try ProblemLoader.parse(text, source: "bench.jsonl") }
    }

    @Test func shippedBenchmarksLoadWithTheirSizes() throws {
        let sizes = ["aime24": 30, "aime25": 30, "amc23": 40, "math500": 500, "minerva": 272, "olympiadbench": 675]
        for name in BenchmarkRegistry.names {
            let spec = try BenchmarkRegistry.spec(named: name, dataDirectory: BenchmarkRegistry.defaultDataDirectory())
            let problems = try ProblemLoader.load(spec)
            #expect(problems.count == sizes[name], "\(name)")
            #expect(Set(problems.map(\.id)).count == problems.count)
        }
        let aime = try ProblemLoader.load(try BenchmarkRegistry.spec(named: "aime24", dataDirectory: BenchmarkRegistry.defaultDataDirectory()))
        #expect(aime[0].id == "aime2024-I-1" && aime[0].answer == "204" && aime[0].index == 0)
    }

    @Test func missingAnswerColumnNamesLineAndField() {
        let text = #"{"problem": "a", "answer": "1"}"# + "\n" + #"{"problem": "b", "solution": "2"}"# + "\n"
        let e = parseError(text)
        #expect(e.contains("bench.jsonl:2") && e.contains("answer field \"answer\"") && e.contains("solution"), "\(e)")
        let renamed = errorText { _ = try ProblemLoader.parse(#"{"question": "a", "answer": "1"}"#, source: "b.jsonl") }
        #expect(renamed.contains("b.jsonl:1") && renamed.contains("problem field \"problem\""), "\(renamed)")
    }

    @Test func emptyFileAndBlankFileAreErrors() {
        #expect(parseError("").contains("bench.jsonl: malformed: the file is empty"))
        #expect(parseError("\n  \n").contains("no problems"))
    }

    @Test func badJSONLineNamesItsLine() {
        let text = #"{"problem": "a", "answer": "1"}"# + "\n\n" + #"{"problem": "b", "answer": "#
        let e = parseError(text)
        #expect(e.contains("bench.jsonl:3") && e.contains("bad JSON line"), "\(e)")
        #expect(parseError("[1, 2]").contains("bench.jsonl:1: malformed: not a JSON object"))
    }

    @Test func emptyAnswersWrongTypesAndRepeatedIDsAreErrors() {
        #expect(parseError(#"{"problem": "a", "answer": "  "}"#).contains("answer field \"answer\" is empty"))
        #expect(parseError(#"{"problem": "a", "answer": [1]}"#).contains("is not a string or a number"))
        let twice = #"{"id": "x", "problem": "a", "answer": "1"}"# + "\n" + #"{"id": "x", "problem": "b", "answer": "2"}"#
        #expect(parseError(twice).contains("bench.jsonl:2") && parseError(twice).contains("repeats 'x' of line 1"))
    }

    @Test func numbersCRLFAndMissingIDs() throws {
        let text = #"{"problem": "a", "answer": 27.0}"# + "\r\n" + #"{"problem": "b", "answer": 0.5}"# + "\r\n"
        let problems = try ProblemLoader.parse(text, source: "b.jsonl")
        #expect(problems.map(\.answer) == ["27", "0.5"] && problems.map(\.id) == ["0", "1"])
    }

    @Test func selectionByIndexIDAndLimit() throws {
        let problems = (0..<10).map { EvalProblem(index: $0, id: "p\($0)", problem: "q", answer: "1") }
        #expect(try BenchmarkSelection.select(problems, only: ["1", "p5", "7", "1"], source: "f").map(\.index) == [1, 5, 7])
        #expect(try BenchmarkSelection.select(problems, limit: 3, source: "f").map(\.index) == [0, 1, 2])
        #expect(errorText { _ = try BenchmarkSelection.select(problems, only: ["12"], source: "f") }.contains("'12'"))
    }

    @Test func unknownBenchmarkListsTheKnownOnes() {
        let e = errorText { _ = try BenchmarkRegistry.spec(named: "gsm8k", dataDirectory: "data") }
        #expect(e.contains("gsm8k") && e.contains("math500"))
    }
}
