import ArgumentParser
import Foundation
import TinaCore
import TinaDemo
import TinaFormats

struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Write the demo's arithmetic task as JSONL: teacher traces for `tina sft`, or problems for evaluation.",
        discussion: """
        Default: SFT lines {"prompt", "completion"} from the imperfect teacher (--teacher-noise of the traces slip, \
        skip a step or break the format). --problems: {"prompt", "solution", "answer", "expression"} lines \
        ("solution" is the gold \\boxed{} answer). Splits: train, held-out (never an expression of train), harder \
        (bigger multipliers and values than train). The same seed gives the same file.
        """)

    @Option(help: "train, held-out or harder.") var split = "train"
    @Option(help: "Number of lines.") var count: Int
    @Option(help: "Seed of the problems and the teacher.") var seed: UInt64 = 1
    @Option(help: "Fraction of flawed teacher traces (slips 55 %, skips 25 %, format breaks 20 % of it).") var teacherNoise = 0.3
    @Flag(help: "Write problems (no completions), each expression once.") var problems = false
    @Option(help: "Output JSONL file.") var out: String

    func validate() throws {
        guard DemoSplit(rawValue: split) != nil else {
            throw ValidationError("--split must be one of \(DemoSplit.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard count > 0 else { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        let chosen = DemoSplit(rawValue: split) ?? .train
        let set = try ArithmeticTaskGenerator(seed: seed).problems(split: chosen, count: count, unique: problems)
        var lines: [String] = []
        if problems {
            lines = try set.map(DemoData.problemLine)
        } else {
            let traces = Teacher(noise: try TeacherNoise(total: teacherNoise), seed: seed).traces(for: set)
            lines = try traces.map(DemoData.sftLine)
            let counts = DemoData.flawCounts(traces)
            ExitStatus.printError("demo-data: " + TraceFlaw.allCases.map { "\($0.rawValue) \(counts[$0, default: 0])" }.joined(separator: ", "))
        }
        let writer = try AtomicFileWriter(path: out)
        try writer.write(Array((lines.joined(separator: "\n") + "\n").utf8))
        try writer.commit()
        print("wrote \(lines.count) \(chosen.rawValue) \(problems ? "problems" : "SFT examples") to \(out)")
    }
}
