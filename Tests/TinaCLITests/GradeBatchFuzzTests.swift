import Foundation
import Testing
import TinaTestSupport

/// Fuzzed JSONL batches through `tina grade --input`: valid rows, blank lines, LF/CRLF, garbage, truncated
/// JSON, deep nesting and huge fields, mixed. Whatever the file holds, every non-blank line gets exactly one
/// output row carrying its line number, with a verdict or an error, and the run exits 0 (--on-error skip).
@Suite struct GradeBatchFuzzTests {
    static func line(_ rng: inout FuzzRNG) -> (text: String, valid: Bool) {
        let n = rng.int(50)
        switch rng.int(12) {
        case 0: return ("", false)
        case 1: return (rng.pick(["   ", "\t"]), false)
        case 2: return (rng.pick(["not json", "{", "[1, 2]", "null", "{\"gold\": 1, \"pred\": 2}", "\"x\"", "{\"gold\": \"1\"}"]), false)
        case 3:
            let deep = rng.int(2000)
            return (String(repeating: "[", count: deep) + String(repeating: "]", count: deep), false)
        case 4:
            let full = #"{"gold": "\#(n)", "pred": "\#(n)", "id": \#(n)}"#
            return (String(full.prefix(1 + rng.int(full.count - 1))), false)  // truncated
        case 5: return (#"{"gold": "\#(n)", "pred": "\#(String(repeating: "1+", count: rng.int(60_000)))1"}"#, true)
        case 6: return (#"{"gold": "\#(n)", "pred": "\#(n)", "mode": "\#(rng.pick(["tina", "latex", "nope", "expr"]))"}"#, true)
        case 7: return (#"{"gold": "1", "pred": "\\boxed{\#(String(repeating: "{", count: 200))1\#(String(repeating: "}", count: 200))}"}"#, true)
        default: return (#"{"gold": "$\#(n)$", "pred": "The answer is $\#(n)$", "id": "r\#(n)"}"#, true)
        }
    }

    @Test func everyNonBlankLineGetsOneRow() throws {
        var rng = FuzzBudget.rng(1305)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var report = FuzzReport(format: "JSONL batches (files)")
        var lines = 0
        for file in 0..<FuzzBudget.iterations(25) {
            var text = ""
            var expected: [Int] = []
            let count = 1 + rng.int(60)
            for i in 1...count {
                let (line, _) = Self.line(&rng)
                text += line + (rng.oneIn(3) ? "\r\n" : "\n")
                if !line.allSatisfy(\.isWhitespace) { expected.append(i) }
            }
            if rng.oneIn(3) { text.removeLast() }  // no final newline
            lines += count
            let path = dir + "/batch\(file).jsonl"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            var result: CLI.Result?
            report.run(path) {
                result = try? CLI.run(["grade", "--input", path])
                return result?.status == 0
            }
            let r = try #require(result)
            #expect(r.status == 0, "\(path): \(r.stderr.suffix(300))")
            let rows = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(rows.map { $0["line"] as? Int ?? -1 } == expected, "\(path)")
            for row in rows { #expect((row["correct"] != nil) != (row["error"] != nil), "\(row)") }
            #expect(r.stderr.contains("failed"), "no summary: \(r.stderr.suffix(200))")
        }
        print("fuzz JSONL batches: \(lines) lines in \(report.inputs) files")
        report.printSummary()
        #expect(report.slowest < 6 * FuzzBudget.hangSeconds, "\(report.slowestInput)")
    }
}
