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
        // Every "\boxed" / "\fbox" found in one forward pass (searching backwards from each box again made
        // a text of many boxes quadratic: 11,000 boxes took 40 s).
        let boxed = Array("boxed"), fbox = Array("fbox")
        var occurrences: [(start: Int, length: Int)] = []
        for i in text.indices where text[i] == "\\" {
            if text[(i + 1)...].starts(with: boxed) { occurrences.append((i, 6)) } else if text[(i + 1)...].starts(with: fbox) { occurrences.append((i, 5)) }
        }
        var k = occurrences.count - 1
        while true {
            // The last box that ends before `current`.
            while k >= 0 && occurrences[k].start + occurrences[k].length > current { k -= 1 }
            if k < 0 { break }
            let (start, length) = occurrences[k]
            k -= 1
            var next = start + length
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
