import Foundation
import TinaTestSupport

/// Random JSON text for the fuzzers: valid values with hostile numbers, strings, escapes and nesting, and broken
/// variants (truncated, mutated).
struct JSONGenerator {
    var rng: FuzzRNG

    mutating func number() -> String {
        rng.pick(["0", "-0", "1", "-1", "1.5", "1e400", "-1e400", "1e-400", "9223372036854775807", "9223372036854775808",
                  "-9223372036854775809", "123456789012345678901234567890", "0.1", "1E2", "2e+3", "-", "1e", ".5", "01", "+1", "NaN"])
    }

    mutating func string() -> String {
        let piece = rng.pick(["a", "é", "\\n", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\udc00x", "\\u12", "\\x",
                              "</think>", "<｜User｜>", "{{ x }}", "{% if %}", "\\t", "😀", "\\/"])
        return "\"" + String(repeating: piece, count: rng.size(huge: 50_000)) + "\""
    }

    mutating func value(_ depth: Int) -> String {
        if depth <= 0 || rng.oneIn(3) {
            switch rng.int(5) {
            case 0: return number()
            case 1: return rng.pick(["true", "false", "null", "tru", "nul"])
            default: return string()
            }
        }
        if rng.oneIn(2) { return "[" + (0..<rng.int(5)).map { _ in value(depth - 1) }.joined(separator: ",") + "]" }
        return "{" + (0..<rng.int(5)).map { _ in "\(string()):\(value(depth - 1))" }.joined(separator: ",") + "}"
    }

    /// Nesting far past any limit, or near it.
    mutating func deep() -> String {
        let n = rng.oneIn(2) ? rng.int(600) : rng.int(40_000)
        return rng.oneIn(2) ? String(repeating: "[", count: n) + String(repeating: "]", count: n)
            : String(repeating: "{\"a\":", count: n) + "1" + String(repeating: "}", count: n)
    }

    mutating func mutate(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { return text }
        if rng.oneIn(2) {
            scalars.removeLast(1 + rng.int(scalars.count))
        } else {
            for _ in 0..<(1 + rng.int(4)) {
                scalars.insert(contentsOf: rng.pick(["{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\u{0}"]).unicodeScalars, at: rng.int(scalars.count + 1))
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
