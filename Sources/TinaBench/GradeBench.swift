import Foundation
import TinaMath

/// Grading throughput as peers.md section 6 measures math-verify: parse both strings and verify, default
/// settings, one warm-up pass, median of three, one thread.
public struct GradeBenchResult: Codable, Sendable {
    public var set: String
    public var pairs: Int
    public var runs: [Double]
    public var medianSeconds: Double
    public var pairsPerSecond: Double
    public var verifiedTrue: Int
}

public enum GradeBench {
    public static func run(set: String, pairs: [(String, String)], progress: (String) -> Void = { _ in }) -> GradeBenchResult {
        var verified = 0
        for (g, p) in pairs where Grader.grade(gold: g, prediction: p).correct { verified += 1 }
        var runs: [Double] = []
        for _ in 0..<3 {
            let start = Stopwatch.now()
            for (g, p) in pairs { _ = Grader.grade(gold: g, prediction: p) }
            runs.append(Stopwatch.now() - start)
        }
        let median = runs.sorted()[1]
        let result = GradeBenchResult(set: set, pairs: pairs.count, runs: runs, medianSeconds: median,
                                      pairsPerSecond: Double(pairs.count) / median, verifiedTrue: verified)
        progress(String(format: "grade %@: %d pairs, median %.3f s = %.0f pairs/s, %d verified true",
                        set, pairs.count, median, result.pairsPerSecond, verified))
        return result
    }

    /// (gold, pred) of a JSONL file with those fields, or ($answer$, $answer$) of a data file.
    public static func pairs(path: String) throws -> [(String, String)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            if let g = o["gold"] as? String, let p = o["pred"] as? String { return (g, p) }
            if let a = o["answer"] { return ("$\(a)$", "$\(a)$") }
            return nil
        }
    }
}
