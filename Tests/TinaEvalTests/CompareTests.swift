import Foundation
import Testing
import TinaEval
import TinaFormats
import TinaTestSupport

/// `tina eval compare`: runs side by side, differences paired over the same problems, noise flagged.
@Suite struct CompareTests {
    func run(_ dir: String, _ name: String, _ spec: BenchmarkSpec, correct: @escaping (Int, Int) -> Bool) throws -> LoadedRun {
        let source = ScriptedSource { id, sample in "$\\boxed{\(correct(id, sample) ? id + 1 : 0)}$" }
        _ = try job(spec, out: dir + "/" + name, samples: 2, label: name).run(renderer: PlainRenderer(), source: source)
        return try LoadedRun.load(dir + "/" + name)
    }

    @Test func differencesBeyondAndWithinNoise() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try writeBenchmark(dir, count: 40)
        let a = try run(dir, "a", spec) { id, _ in id % 2 == 0 }          // 50 %
        let b = try run(dir, "b", spec) { _, _ in true }                   // 100 %
        let c = try run(dir, "c", spec) { id, s in id % 2 == 0 || (id == 1 && s == 0) }   // 51.25 %
        let ab = try #require(RunComparison.difference(a, b, benchmark: "toy"))
        #expect(ab.paired && abs(ab.difference - 0.5) < 1e-12 && ab.beyondNoise)
        let ac = try #require(RunComparison.difference(a, c, benchmark: "toy"))
        #expect(ac.paired && !ac.beyondNoise)
        let text = RunComparison.render([a, b, c])
        #expect(text.contains("A = a (") && text.contains("B - A") && text.contains("C - A"), "\(text)")
        #expect(text.contains("+50.00 ± 8.01 beyond noise (paired)"), "\(text)")
        #expect(text.contains("within noise"), "\(text)")
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("Avg.") })
        let table = ResultTable.markdown([a.summary, b.summary])
        #expect(table.contains("| a | 50.00 [") && table.contains("| b | 100.00 [100.00, 100.00] | 100.00 [100.00, 100.00] |"), "\(table)")
    }

    @Test func differentProblemsFallBackToUnpairedErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try writeBenchmark(dir, count: 10)
        let a = try run(dir, "a", spec) { id, _ in id < 5 }
        var b = try run(dir, "b", spec) { _, _ in true }
        b.scores["toy"]?["p0"] = nil
        let d = try #require(RunComparison.difference(a, b, benchmark: "toy"))
        #expect(!d.paired && abs(d.stderr - a.summary.benchmarks[0].passAt1.stderr) < 1e-12)
    }
}

/// Checkpoint sweeps: checkpoint folders found by step, a table with the best step, an SVG chart.
@Suite struct SweepTests {
    @Test func discoverTableAndSVG() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["checkpoint-100", "checkpoint-20", "checkpoint-x", "checkpoint-50", "logs"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
            if name != "checkpoint-50" { try "{}".write(toFile: dir + "/\(name)/adapter_config.json", atomically: true, encoding: .utf8) }
        }
        #expect(try CheckpointSweep.discover(dir).map(\.step) == [20, 100])
        #expect(errorText { _ = try CheckpointSweep.discover(dir + "/logs") }.contains("checkpoint-N"))
        // A run of Tina's own seals its checkpoints: one left unsealed (stopped while writing) is skipped and reported.
        let sealedRun = dir + "/sealed"
        for step in [10, 20, 30] {
            let folder = sealedRun + "/checkpoint-\(step)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "{}".write(toFile: folder + "/adapter_config.json", atomically: true, encoding: .utf8)
            if step == 10 { try CheckpointMarker.write(into: folder, step: step) }
            // A truncated marker: skipped too, with a reason that names the file.
            if step == 30 { try "{\"step\": 3".write(toFile: folder + "/" + CheckpointMarker.fileName, atomically: true, encoding: .utf8) }
        }
        var skipped: [(String, String)] = []
        #expect(try CheckpointSweep.discover(sealedRun) { skipped.append(($0, $1)) }.map(\.step) == [10])
        #expect(skipped.map(\.0) == [sealedRun + "/checkpoint-20", sealedRun + "/checkpoint-30"])
        #expect(skipped.last?.1.contains(CheckpointMarker.fileName) == true)

        let spec = try writeBenchmark(dir, count: 6)
        var points: [(step: Int, summary: RunSummary)] = []
        for (step, right) in [(20, 2), (100, 5)] {
            let source = ScriptedSource { id, _ in "$\\boxed{\(id < right ? id + 1 : 0)}$" }
            points.append((step, try job(spec, out: dir + "/eval-\(step)", samples: 1, label: "step \(step)").run(renderer: PlainRenderer(), source: source)))
        }
        let table = CheckpointSweep.table(points)
        #expect(table.contains("| 100 (best) | 83.33 [") && table.contains("| 20 | 33.33 ["), "\(table)")
        let svg = CheckpointSweep.svg(points)
        #expect(svg.hasPrefix("<svg") && svg.contains("</svg>") && svg.contains("<polyline") && svg.contains("toy step 100: 83.33"))
    }
}
