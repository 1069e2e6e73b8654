import Foundation
import Testing
import TinaMath
import TinaTestSupport

/// Every benchmark answer in ../shared/data equals itself and its answer_raw, and differs from the other
/// problems' answers unless the two are genuinely the same value.
@Suite struct BenchmarkAnswerTests {
    static let shared = Paths.shared

    static let files = ["aime2024", "aime2025", "amc2023", "math500", "minerva_math", "olympiadbench"]

    func rows(_ name: String) -> [[String: Any]]? {
        guard let text = try? String(contentsOfFile: Self.shared + "/data/\(name).jsonl", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    static func answer(_ row: [String: Any]) -> String { row["answer"].map { "\($0)" } ?? "" }

    @Test(.enabled(if: SharedFiles.dataPresent, Comment(rawValue: SharedFiles.missingData)), arguments: files)
    func answersVerifyAgainstThemselvesAndNotOthers(name: String) throws {
        guard let data = rows(name) else { print("skipping \(name): ../shared/data not found"); return }
        var failures: [String] = []
        for (i, row) in data.enumerated() {
            let a = Self.answer(row)
            if !Grader.grade(gold: "$\(a)$", prediction: "$\(a)$").correct { failures.append("\(name)[\(i)] self: \(a)") }
            if let raw = row["answer_raw"].map({ "\($0)" }), raw != a,
               !Grader.grade(gold: "$\(a)$", prediction: raw.contains("$") ? raw : "$\(raw)$").correct {
                failures.append("\(name)[\(i)] raw: \(a) vs \(raw)")
            }
            // Five other problems' answers (all of them for the small sets): equal only when the values really are.
            let others = data.count <= 40 ? Array(data.indices) : (1...5).map { (i + $0 * 97) % data.count }
            for j in others where j != i {
                let other = Self.answer(data[j])
                if Grader.grade(gold: "$\(a)$", prediction: "$\(other)$").correct && !Self.genuinelyEqual(a, other) {
                    failures.append("\(name)[\(i)] vs [\(j)]: \(a) == \(other)?")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    /// Same text up to spacing, degree signs and a leading "x=" (an assignment states its value), or equal
    /// plain numbers.
    static func genuinelyEqual(_ a: String, _ b: String) -> Bool {
        func core(_ s: String) -> String {
            let t = s.filter { !$0.isWhitespace }.replacingOccurrences(of: "^\\circ", with: "")
            if t.count > 2, t.first!.isLetter, t.dropFirst().first == "=" { return String(t.dropFirst(2)) }
            return t
        }
        let x = core(a), y = core(b)
        if x == y { return true }
        if let p = Double(x), let q = Double(y) { return p == q }
        return false
    }
}
