import Foundation
import TinaCore
import TinaTokenizers

/// Encode throughput on the `problem` field of every data/*.jsonl file (what peers.md measured for HF
/// tokenizers): one warm-up pass, then the median of three, one thread, no special tokens.
public struct TokenizerBenchResult: Codable, Sendable {
    public var tokenizer: String
    public var path: String
    public var texts: Int
    public var bytes: Int
    public var tokens: Int
    public var runs: [Double]
    public var medianSeconds: Double
    public var megabytesPerSecond: Double
    public var tokensPerSecond: Double
}

public enum TokenizerBench {
    public static func problems(dataDirectory: String) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: dataDirectory).filter { $0.hasSuffix(".jsonl") }.sorted()
        guard !files.isEmpty else { throw TinaError.missing(source: dataDirectory, what: "*.jsonl files") }
        var texts: [String] = []
        for file in files {
            let text = try String(contentsOfFile: dataDirectory + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let p = row["problem"] as? String {
                    texts.append(p)
                }
            }
        }
        return texts
    }

    public static func run(name: String, tokenizer: Tokenizer, texts: [String], progress: (String) -> Void = { _ in }) -> TokenizerBenchResult {
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        var tokens = 0
        for t in texts { tokens += tokenizer.encode(t, addSpecialTokens: false).count }  // warm-up
        var runs: [Double] = []
        for _ in 0..<3 {
            let start = Stopwatch.now()
            var count = 0
            for t in texts { count += tokenizer.encode(t, addSpecialTokens: false).count }
            runs.append(Stopwatch.now() - start)
            tokens = count
        }
        let median = runs.sorted()[1]
        let result = TokenizerBenchResult(tokenizer: name, path: "", texts: texts.count, bytes: bytes, tokens: tokens, runs: runs,
                                          medianSeconds: median, megabytesPerSecond: Double(bytes) / median / 1e6,
                                          tokensPerSecond: Double(tokens) / median)
        progress(String(format: "tokenizer %@: %d texts, %d bytes, %d tokens, median %.3f s = %.2f MB/s, %.0f tokens/s",
                        name, texts.count, bytes, tokens, median, result.megabytesPerSecond, result.tokensPerSecond))
        return result
    }
}
