/// Tokens of normalized LaTeX answers.
enum LatexToken: Equatable {
    case number(String)
    case letter(Character)
    case command(String)   // without the backslash: "frac", "{", "%", ","
    case symbol(Character) // + - * / ^ _ ( ) [ ] { } | , ; = < > ! : ' &
}

enum LatexLexer {
    static func tokens(_ text: String) -> [LatexToken] {
        let s = Array(text)
        var out: [LatexToken] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            if c.isWhitespace { i += 1; continue }
            if c.isASCII && c.isNumber || (c == "." && i + 1 < s.count && s[i + 1].isASCII && s[i + 1].isNumber) {
                var j = i
                while j < s.count && s[j].isASCII && s[j].isNumber { j += 1 }
                if j < s.count && s[j] == "." && j + 1 < s.count && s[j + 1].isASCII && s[j + 1].isNumber {
                    j += 1
                    while j < s.count && s[j].isASCII && s[j].isNumber { j += 1 }
                }
                out.append(.number(String(s[i..<j])))
                i = j
                continue
            }
            if c == "\\" {
                var j = i + 1
                if j < s.count && s[j].isLetter && s[j].isASCII {
                    while j < s.count && s[j].isLetter && s[j].isASCII { j += 1 }
                    out.append(.command(String(s[(i + 1)..<j])))
                    i = j
                } else if j < s.count {
                    out.append(.command(String(s[j])))
                    i = j + 1
                } else {
                    i = j
                }
                continue
            }
            if c.isLetter {
                out.append(.letter(c))
            } else {
                switch c {
                case "×": out.append(.command("times"))
                case "÷": out.append(.command("div"))
                case "·", "⋅": out.append(.command("cdot"))
                case "≤": out.append(.command("le"))
                case "≥": out.append(.command("ge"))
                case "≠": out.append(.command("ne"))
                case "π": out.append(.command("pi"))
                case "∞": out.append(.command("infty"))
                case "√": out.append(.command("sqrt"))
                case "−": out.append(.symbol("-"))
                case "%": out.append(.command("%"))
                default: out.append(.symbol(c))
                }
            }
            i += 1
        }
        return out
    }
}
