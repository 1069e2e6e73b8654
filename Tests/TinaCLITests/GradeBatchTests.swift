import Foundation
import Testing
import TinaTestSupport

/// `tina grade --input`: LF and CRLF, blank lines that shift nothing, every bad line reported with its number,
/// one output row per input row with its line and id, a summary, --on-error skip|fail, clean --output errors.
@Suite struct GradeBatchTests {
    func rows(_ jsonl: String) throws -> [[String: Any]] {
        try jsonl.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func batch() throws -> (dir: String, file: String) {
        let dir = try temporaryDirectory()
        let deep = "\\\\boxed{" + String(repeating: "{", count: 130) + "1" + String(repeating: "}", count: 130) + "}"
        let text = #"{"gold": "1", "pred": "1", "id": "a"}"# + "\r\n" + "\r\n" + #"{"gold": "2", "pred": "3"}"# + "\r\n"
            + "not json\n" + #"{"gold": "1"}"# + "\n" + #"{"gold": "1", "pred": "1", "mode": "nope", "id": 7}"# + "\n   \n"
            + #"{"gold": "1", "pred": "\#(deep)"}"# + "\n" + #"{"gold": "$\\frac{1}{2}$", "pred": "$0.5$", "mode": "latex", "id": 9}"#
        let file = dir + "/pairs.jsonl"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    @Test func everyRowIsGradedOrReportedWithItsLine() throws {
        let (dir, file) = try batch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["grade", "--input", file])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try rows(r.stdout)
        #expect(out.map { $0["line"] as? Int } == [1, 3, 4, 5, 6, 8, 9])
        #expect(out[0]["id"] as? String == "a" && out[0]["correct"] as? Bool == true)
        #expect(out[1]["correct"] as? Bool == false)
        #expect(out[2]["error"] != nil && out[3]["error"] != nil)
        #expect(out[4]["id"] as? Int == 7 && (out[4]["error"] as? String)?.contains("nope") == true)
        #expect((out[5]["error"] as? String)?.contains("could not grade") == true)
        #expect(out[6]["id"] as? Int == 9 && out[6]["correct"] as? Bool == true && out[6]["mode"] as? String == "latex")
        for line in [4, 5, 6, 8] { #expect(r.stderr.contains("pairs.jsonl:\(line):"), "line \(line): \(r.stderr)") }
        #expect(r.stderr.contains("3 graded (2 correct, 1 incorrect), 4 failed, 2 blank lines skipped"), "\(r.stderr)")
    }

    @Test func onErrorFailStopsAtTheFirstBadLine() throws {
        let (dir, file) = try batch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["grade", "--input", file, "--on-error", "fail", "--output", dir + "/out.jsonl"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("pairs.jsonl:4:") && r.stderr.contains("stopped at line 4"), "\(r.stderr)")
        let out = try rows(try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8))
        #expect(out.map { $0["line"] as? Int } == [1, 3, 4])
    }

    @Test func outputIntoAMissingFolderIsACleanError() throws {
        let (dir, file) = try batch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["grade", "--input", file, "--output", dir + "/missing/out.jsonl"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("tina grade: error: ") && r.stderr.contains("does not exist"), "\(r.stderr)")
        #expect(!r.stderr.contains("Error Domain") && !r.stderr.contains("NSCocoaErrorDomain"))
    }
}

/// `grade` prints a warning for an empty or partial gold extraction, and batches count them.
@Suite struct GradeGoldWarningTests {
    @Test func singlePairWarnsAndAnswerFormatReadsTheWhole() throws {
        let gold = "\\left( 3, \\frac{\\pi}{2} \\right)", pred = "$\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$"
        let raw = try CLI.run(["grade", "--gold", gold, "--pred", pred])
        #expect(raw.status == 3 && raw.stderr.contains("warning: gold extraction is partial"), "\(raw.stderr)")
        let answer = try CLI.run(["grade", "--gold", gold, "--pred", pred, "--gold-format", "answer"])
        #expect(answer.status == 0 && !answer.stderr.contains("warning"), "\(answer.stderr)")
    }

    @Test func batchCountsGoldWarnings() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/pairs.jsonl"
        try (#"{"gold": "nothing", "pred": "$1$"}"# + "\n" + #"{"gold": "$1$", "pred": "$1$"}"# + "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["grade", "--input", file])
        #expect(r.status == 0)
        #expect(r.stdout.contains("gold_warning") && r.stderr.contains("pairs.jsonl:1: warning: gold extraction is empty"), "\(r.stderr)")
        #expect(r.stderr.contains("1 gold warning (empty or partial gold extraction)"), "\(r.stderr)")
    }
}
