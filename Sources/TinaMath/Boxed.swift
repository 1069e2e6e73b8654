/// The content of `\boxed{...}` / `\fbox{...}` with balanced braces, searched from the right
/// (latex2sympy2_extended's `extract_boxed_content`). Mode `last` keeps the last box and earlier ones joined
/// to it by a short separator; `all` joins every box. Without any box the text is returned unchanged.
enum Boxed {
    enum Mode { case last, all }

    static func extract(_ input: String, mode: Mode) -> String {
        let text = Array(input)
        var results: [String] = []
        var current = text.count
        var maxPosition = text.count
        var lastBoxedStart: Int?
        func rfind(_ needle: String, before end: Int) -> Int {
            let n = Array(needle)
            var i = end - n.count
            while i >= 0 {
                if Array(text[i..<(i + n.count)]) == n { return i }
                i -= 1
            }
            return -1
        }
        while true {
            let boxed = rfind("\\boxed", before: current), fbox = rfind("\\fbox", before: current)
            if boxed < 0 && fbox < 0 { break }
            let start = max(boxed, fbox)
            var next = start + (boxed > fbox ? 6 : 5)
            while next < maxPosition && text[next].isWhitespace { next += 1 }
            if next >= maxPosition { break }
            guard text[next] == "{" else {
                if results.isEmpty { results.append(String(text[next...])) }
                break
            }
            var depth = 1, i = next, close = -1
            while i + 1 < maxPosition {
                i += 1
                if text[i] == "{" { depth += 1 } else if text[i] == "}" { depth -= 1; if depth == 0 { close = i; break } }
            }
            if close < 0 {
                if results.isEmpty { results.append(String(text[next...])) }
                break
            }
            let content = String(text[(next + 1)..<close]).trimmingWhitespace()
            if mode == .last, let previousStart = lastBoxedStart {
                let between = String(text[(close + 1)..<previousStart])
                let separated = between.count < 10 || (content != (results.last ?? "") && between.count < 70 && hasSeparator(between))
                if !separated { break }
            }
            if results.last != content { results.append(content) }
            lastBoxedStart = start
            maxPosition = start
            current = start
        }
        return results.isEmpty ? input : results.reversed().joined(separator: ",")
    }

    /// \b(and|or)\b, a comma or a semicolon.
    static func hasSeparator(_ text: String) -> Bool {
        if text.contains(",") || text.contains(";") { return true }
        let words = text.split { !$0.isLetter && !$0.isNumber && $0 != "_" }
        return words.contains("and") || words.contains("or")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
