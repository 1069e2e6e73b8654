import Foundation
import Testing
import TinaEval
import TinaTestSupport

/// A run killed mid-way (its last line cut short) resumes without losing or duplicating a sample, and ends
/// with exactly what an uninterrupted run writes.
@Suite struct ResumeTests {
    /// Right on even samples, wrong on odd ones.
    static func answer(_ id: Int, _ sample: Int) -> String {
        "Therefore, the final answer is: $\\boxed{\(sample % 2 == 0 ? id + 1 : id + 100)}$. I hope it is correct"
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// A record without the fields that depend on when it was written.
    func comparable(_ r: SampleRecord) -> SampleRecord {
        var r = r
        r.session = 0
        r.sessionSeconds = 0
        return r
    }

    @Test func resumeAfterKillLosesAndDuplicatesNothing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try writeBenchmark(dir, count: 5)
        let out = dir + "/run"
        // Killed after 7 of 15 samples: problem 2 has sample 0 only.
        let first = ScriptedSource(killAfter: 7, answer: Self.answer)
        #expect(throws: SimulatedKill.self) { _ = try job(spec, out: out, samples: 3).run(renderer: PlainRenderer(), source: first) }
        #expect(try lines(out + "/samples.jsonl").count == 8)   // 7 lines and the empty piece after the last newline
        // The kill also cut a line short.
        let handle = try #require(FileHandle(forWritingAtPath: out + "/samples.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"benchmark":"toy","completion":"Therefore, the fi"#.utf8))
        try handle.close()

        var notices: [String] = []
        let second = ScriptedSource(answer: Self.answer)
        let summary = try job(spec, out: out, samples: 3).run(renderer: PlainRenderer(), source: second, onNotice: { notices.append($0) })
        #expect(notices.contains { $0.contains("dropped a partial last line") } && notices.contains { $0.contains("resuming with 7") })
        // Only the 8 missing samples were generated: problem 2 samples 1 and 2, then problems 3 and 4.
        #expect(second.asked == [[2, 1], [2, 2], [3, 0], [3, 1], [3, 2], [4, 0], [4, 1], [4, 2]])
        let records = try SampleLog.read(path: out + "/samples.jsonl")
        #expect(records.count == 15 && Set(records.map(\.key)).count == 15)
        let text = try lines(out + "/samples.jsonl")
        #expect(text.count == 16 && text.last == "" && text.dropLast().allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })
        #expect(Set(records.map(\.session)) == [1, 2] && summary.sessions == 2)
        #expect(summary.benchmarks[0].correct == 10 && summary.benchmarks[0].samples == 15)   // samples 0 and 2 of each problem

        // The same run without a kill writes the same records.
        let clean = dir + "/clean"
        _ = try job(spec, out: clean, samples: 3).run(renderer: PlainRenderer(), source: ScriptedSource(answer: Self.answer))
        let uninterrupted = try SampleLog.read(path: clean + "/samples.jsonl")
        let byKey = Dictionary(uniqueKeysWithValues: records.map { ($0.key, comparable($0)) })
        #expect(uninterrupted.allSatisfy { byKey[$0.key] == comparable($0) })
        #expect(Set(uninterrupted.map(\.key)) == Set(records.map(\.key)))

        // A third run has nothing left to do.
        let third = ScriptedSource(answer: Self.answer)
        _ = try job(spec, out: out, samples: 3).run(renderer: PlainRenderer(), source: third)
        let after = try SampleLog.read(path: out + "/samples.jsonl")
        #expect(third.asked.isEmpty && after.count == 15)
    }

    @Test func moreSamplesAndMoreProblemsExtendARun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try writeBenchmark(dir, count: 4)
        let out = dir + "/run"
        var small = try job(spec, out: out, samples: 1)
        small.selections[0].problems = Array(small.selections[0].problems.prefix(2))
        _ = try small.run(renderer: PlainRenderer(), source: ScriptedSource(answer: Self.answer))
        let source = ScriptedSource(answer: Self.answer)
        let summary = try job(spec, out: out, samples: 2).run(renderer: PlainRenderer(), source: source)
        #expect(source.asked == [[0, 1], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1]])
        #expect(summary.benchmarks[0].samples == 8 && summary.benchmarks[0].passAt1.value == 0.5)
    }

    @Test func aRunWithOtherSamplingSettingsIsRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try writeBenchmark(dir, count: 2)
        let out = dir + "/run"
        _ = try job(spec, out: out, samples: 1).run(renderer: PlainRenderer(), source: ScriptedSource(answer: Self.answer))
        var other = try job(spec, out: out, samples: 1)
        other.config.temperature = 0.7
        let e = errorText { _ = try other.run(renderer: PlainRenderer(), source: ScriptedSource(answer: Self.answer)) }
        #expect(e.contains("temperature 0.6 -> 0.7"), "\(e)")
    }

    @Test func aCorruptLineInsideTheLogNamesItsLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{\"benchmark\": 3}\n".write(toFile: dir + "/samples.jsonl", atomically: true, encoding: .utf8)
        let e = errorText { _ = try SampleLog(path: dir + "/samples.jsonl") }
        #expect(e.contains("samples.jsonl:1") && e.contains("not a sample record"), "\(e)")
    }

    @Test func outputsHoldTheSummaryTableAndProgress() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try writeBenchmark(dir, count: 3)
        var progress: [EvalProgress] = []
        var j = try job(spec, out: dir + "/run", samples: 2)
        j.pricePerHour = 2
        let summary = try j.run(renderer: PlainRenderer(), source: ScriptedSource(answer: Self.answer), onProgress: { progress.append($0) })
        #expect(progress.map(\.completed) == [1, 2, 3, 4, 5, 6] && progress.allSatisfy { $0.total == 6 })
        #expect(progress.last?.line.hasPrefix("toy: 6/6 samples (100%)") == true)
        let saved = try RunFolder(dir + "/run").readSummary()
        #expect(saved == summary && saved.cost != nil && saved.config.samples == 2)
        let table = try String(contentsOfFile: dir + "/run/table.md", encoding: .utf8)
        #expect(table.contains("| Model | toy | Avg. |") && table.contains("| toy | 50.00 ["), "\(table)")
        let first = try #require(try SampleLog.read(path: dir + "/run/samples.jsonl").first)
        #expect(first.prompt.contains("What is 0 + 1?") && first.extracted.contains("1") && first.correct && first.finishReason == .stop)
    }
}
