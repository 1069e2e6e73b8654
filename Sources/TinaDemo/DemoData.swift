import Foundation
import TinaCore

/// JSONL lines for the demo's files: SFT examples `{"prompt", "completion"}` (what `tina sft` reads) and
/// problems `{"prompt", "solution", "answer", "expression"}` (an evaluation or RL set; "solution" is the gold
/// answer as the accuracy reward reads it, like the "solution" column of Tina's datasets).
public enum DemoData {
    public static func sftLine(_ trace: TeacherTrace) throws -> String {
        try line(["prompt": trace.problem.prompt, "completion": trace.completion])
    }

    public static func problemLine(_ problem: ArithmeticProblem) throws -> String {
        try line(["prompt": problem.prompt, "solution": problem.gold, "answer": problem.answer, "expression": problem.expression])
    }

    static func line(_ object: [String: Any]) throws -> String {
        do {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw TinaError.invalidArgument("cannot encode a demo data line as JSON: \(error)")
        }
    }

    /// Counts of each flaw among `traces` (for the generator's summary and the tests).
    public static func flawCounts(_ traces: [TeacherTrace]) -> [TraceFlaw: Int] {
        var counts: [TraceFlaw: Int] = [:]
        for trace in traces { counts[trace.flaw, default: 0] += 1 }
        return counts
    }
}
