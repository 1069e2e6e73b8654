import Foundation
import TinaEval
import TinaGeneration
import TinaTestSupport

/// Prompts without a tokenizer: the query text, and ids that are its first UTF-8 bytes.
struct PlainRenderer: PromptRendering {
    func render(problem: String) throws -> RenderedPrompt {
        let text = MathPrompt.query(problem)
        return RenderedPrompt(text: text, ids: text.utf8.prefix(12).map(Int.init))
    }
}

struct SimulatedKill: Error {}

/// Completions from a script: `answer(request id, sample)` is the text; after `killAfter` completions it throws,
/// like a process killed mid-run. Records every (request id, sample) it was asked for.
final class ScriptedSource: CompletionSource {
    let answer: (Int, Int) -> String
    var killAfter: Int?
    private(set) var asked: [[Int]] = []
    private(set) var produced = 0

    init(killAfter: Int? = nil, answer: @escaping (Int, Int) -> String) {
        self.killAfter = killAfter
        self.answer = answer
    }

    func complete(_ requests: [EvalRequest], onCompletion: (EvalCompletion) throws -> Void) throws {
        for (index, r) in requests.enumerated() {
            for s in r.samples {
                if let killAfter, produced >= killAfter { throw SimulatedKill() }
                asked.append([r.id, s])
                let text = answer(r.id, s)
                produced += 1
                try onCompletion(EvalCompletion(requestIndex: index, sample: s, tokens: Array(repeating: 7, count: text.count),
                                                text: text, finishReason: .stop))
            }
        }
    }
}

/// A benchmark file of `count` problems whose gold answer is the problem number + 1.
func writeBenchmark(_ dir: String, count: Int, name: String = "toy") throws -> BenchmarkSpec {
    let file = dir + "/\(name).jsonl"
    let lines = (0..<count).map { #"{"id": "p\#($0)", "problem": "What is \#($0) + 1?", "answer": "\#($0 + 1)"}"# }
    try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    return BenchmarkSpec(name: name, file: file, goldMode: .expression)
}

func job(_ spec: BenchmarkSpec, out: String, samples: Int, label: String = "toy") throws -> EvalJob {
    let problems = try ProblemLoader.load(spec)
    return EvalJob(config: EvalConfig(model: "fake", samples: samples, benchmarks: [spec.name]),
                   selections: [BenchmarkSelection(spec: spec, problems: problems)], folder: RunFolder(out), label: label,
                   parameters: try SamplingParameters(temperature: 0.6, topP: 0.95, seed: 1234, maxNewTokens: 64),
                   bootstrap: BootstrapSettings(replicates: 200, seed: 1))
}
