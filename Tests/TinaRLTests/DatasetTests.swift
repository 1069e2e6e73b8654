import Foundation
import Testing
import TinaCore
import TinaRL

/// Datasets: each column layout of Tina's data sets maps to (problem, solution) as grpo.py maps it, and a bad row
/// is reported with its file and line or fails the load, never dropped silently.
@Suite struct DatasetTests {
    func load(_ name: String, _ text: String, solutionFrom: SolutionSource = .auto, badLines: BadLinePolicy = .skip) throws -> GRPODataset {
        try GRPODataset.load(name: try temporaryFile(name, text), solutionFrom: solutionFrom, badLines: badLines)
    }

    @Test func solutionColumnIsUsedVerbatim() throws {
        // open-rs / OpenR1-Math: the worked solution is the gold; math-verify reads its last \boxed{}.
        let d = try load("open-rs.jsonl", #"{"problem": "1+1?", "solution": "It is \\boxed{2}.", "answer": "2", "level": 1}"#)
        #expect(d.examples == [GRPOExample(problem: "1+1?", solution: "It is \\boxed{2}.", index: 0)])
        #expect(d.mapping.description == "problem <- problem, solution <- solution")
    }

    @Test func answerColumnsAreWrappedInDollars() throws {
        let limr = try load("limr.jsonl", #"{"prompt": "What is 2+3?", "answer": "5"}"#)  // GAIR/LIMR's columns
        #expect(limr.examples[0].problem == "What is 2+3?" && limr.examples[0].solution == "$5$")
        let still = try load("still.jsonl", #"{"question": "Q", "answer": "\\frac{1}{2}"}"#)
        #expect(still.examples[0].problem == "Q" && still.examples[0].solution == "$\\frac{1}{2}$")
        // Numbers print as Python's str() would: the f-string "${answer}$".
        let numbers = try load("n.jsonl", "{\"problem\": \"a\", \"answer\": 27}\n{\"problem\": \"b\", \"answer\": 27.0}\n{\"problem\": \"c\", \"answer\": 1}\n")
        #expect(numbers.examples.map(\.solution) == ["$27$", "$27.0$", "$1$"])
    }

    @Test func problemBeatsQuestionAndPromptAndMessagesAreDropped() throws {
        let d = try load("m.jsonl", #"{"problem": "P", "question": "Q", "messages": [{"role": "user", "content": "M"}], "solution": "S"}"#)
        #expect(d.examples[0].problem == "P" && d.examples[0].solution == "S")
    }

    @Test func deepScaleRUsesTheAnswer() throws {
        let row = #"{"problem": "P", "solution": "long worked solution \\boxed{60}", "answer": "60"}"#
        // Tina keys the rule on the dataset name; here the path.
        let byName = try GRPODataset.load(name: try temporaryFile("deepscaler/train.jsonl", row))
        #expect(byName.examples[0].solution == "$60$")
        #expect(try load("other.jsonl", row).examples[0].solution.hasPrefix("long worked"))
        #expect(try load("other.jsonl", row, solutionFrom: .answer).examples[0].solution == "$60$")
        #expect(errorText { _ = try load("x.jsonl", #"{"problem": "P", "answer": "1"}"#, solutionFrom: .solution) }
            .contains("column 'solution' (dataset_solution_from: solution)"))
    }

    @Test func twoThoughtTakesTheFirstMessageAndVerificationInfo() throws {
        let row = #"{"messages": [{"role": "user", "content": "Compute 6*7."}], "verification_info": "{\"answer\": {\"value\": \"42\"}}"}"#
        let d = try load("ii.jsonl", row)
        #expect(d.examples[0].problem == "Compute 6*7." && d.examples[0].solution == "$42$")
        let object = try load("ii2.jsonl", #"{"messages": [{"role": "user", "content": "x"}], "verification_info": {"answer": {"value": 7}}}"#)
        #expect(object.examples[0].solution == "$7$")
    }

    @Test func jsonArraysAndDatasetDirectories() throws {
        let array = try load("a.json", #"  [{"problem": "p1", "answer": "1"}, {"problem": "p2", "answer": "2"}, 5]"#)
        #expect(array.examples.map(\.problem) == ["p1", "p2"] && array.examples.map(\.index) == [0, 1])
        #expect(array.problems.count == 1 && array.problems[0].hasSuffix("a.json: element 3: not a JSON object"))

        let file = try temporaryFile("CuratedThoughts/OpenThoughts-math/train.jsonl", #"{"problem": "p", "solution": "s"}"#)
        let root = ((file as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let d = try GRPODataset.load(name: root, config: "OpenThoughts-math", split: "train")
        #expect(d.path == file && d.count == 1)
        #expect(errorText { _ = try GRPODataset.load(name: root, split: "test") }.contains("test.jsonl or test.json"))
    }

    @Test func hubIdsAreToldToDownload() throws {
        let text = errorText { _ = try GRPODataset.load(name: "knoveleng/open-rs") }
        #expect(text.contains("Hugging Face Hub dataset id") && text.contains("load_dataset('knoveleng/open-rs'") && text.contains("data/open-rs/train.jsonl"))
        #expect(errorText { _ = try GRPODataset.load(name: "missing/file.jsonl") }.contains("dataset not found"))
    }

    @Test func badLinesAreReportedWithLineNumbers() throws {
        let text = """
        {"problem": "p1", "answer": "1"}\r
        {"problem": "p2", "answer":
        \r
        [1, 2]
        {"problem": "p5"}
        {"answer": "6"}
        {"problem": {"nested": true}, "answer": "7"}
        {"problem": "p8", "answer": true}
        {"problem": "p9", "answer": "9"}
        """
        let path = try temporaryFile("bad.jsonl", text)
        let d = try GRPODataset.load(name: path)
        #expect(d.examples.map(\.problem) == ["p1", "p9"] && d.examples.map(\.index) == [0, 1])
        #expect(d.problems == [
            "\(path):2: not valid JSON ({\"problem\": \"p2\", \"answer\":)",
            "\(path):4: not a JSON object",
            "\(path):5: missing field 'answer'",
            "\(path):6: missing field 'problem'",
            "\(path):7: field 'problem': expected a string or a number",
            "\(path):8: field 'answer': expected a string or a number",
        ])
        let failed = errorText { _ = try GRPODataset.load(name: path, badLines: .fail) }
        #expect(failed == "\(path):2: malformed: not valid JSON ({\"problem\": \"p2\", \"answer\":)")
        let missing = errorText { _ = try GRPODataset.load(name: try temporaryFile("m.jsonl", "{\"problem\": \"a\", \"answer\": \"1\"}\n{\"problem\": \"b\"}\n"), badLines: .fail) }
        #expect(missing.hasSuffix("m.jsonl:2: malformed: missing field 'answer'"))
        #expect(errorText { _ = try load("none.jsonl", "not json\n") }.contains("no usable example"))
        #expect(errorText { _ = try load("cols.jsonl", #"{"text": "a", "label": "b"}"#) }.contains("a problem column (problem, question, prompt or messages); columns: label, text"))
    }

    @Test func recipeDrivesTheLoad() throws {
        let data = try temporaryFile("deepscaler_part.jsonl", #"{"problem": "P", "solution": "S", "answer": "3"}"#)
        let recipe = try GRPORecipe.parse(yaml: "model_name_or_path: m\ndataset_name: \(data)\ndataset_solution_from: solution\n", source: "r")
        #expect(try GRPODataset.load(recipe: recipe).examples[0].solution == "S")
    }

    @Test(.enabled(if: SharedFiles.dataPresent, Comment(rawValue: SharedFiles.missingData)))
    func realLIMRRowMapsLikeTina() throws {
        let d = try GRPODataset.load(name: Paths.shared + "/data/train_limr.jsonl", badLines: .fail)
        #expect(d.count == 1389 && d.problems.isEmpty)
        #expect(d.examples[0].problem == "For how many integer values of $x$ is $5x^{2}+19x+16 > 20$ not satisfied?")
        #expect(d.examples[0].solution == "$5$")
        #expect(d.examples[1].solution == "$\\frac{1}{4}$")
        // The shipped DeepScaleR part has a solution column, but its name asks for the "$answer$" rule.
        let aime = try GRPODataset.load(name: Paths.shared + "/data/train_deepscaler_aime_1983_2023.jsonl", badLines: .fail)
        #expect(aime.count == 975 && aime.examples[0].solution == "$60$")
    }

    @Test func shippedArithmeticDataLoads() throws {
        let path = Paths.repository.appendingPathComponent("data/arithmetic/train.jsonl").path
        let d = try GRPODataset.load(name: path, badLines: .fail)
        #expect(d.count == 1000 && d.examples.allSatisfy { $0.solution.hasPrefix("$") && $0.solution.hasSuffix("$") })
    }
}
