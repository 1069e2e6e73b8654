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
                // Thousands separators: 1,000 or 12,345,678 (groups of exactly three digits).
                if j - i <= 3 {
                    var k = j
                    var grouped = false
                    while k + 3 < s.count + 0 && s[k] == "," && (1...3).allSatisfy({ k + $0 < s.count && s[k + $0].isASCII && s[k + $0].isNumber })
                            && !(k + 4 < s.count && s[k + 4].isASCII && s[k + 4].isNumber) {
                        k += 4
                        grouped = true
                    }
                    if grouped {
                        var digits = String(s[i..<k]).replacingOccurrences(of: ",", with: "")
                        var m = k
                        if m + 1 < s.count && s[m] == "." && s[m + 1].isNumber {
                            m += 1
                            while m < s.count && s[m].isASCII && s[m].isNumber { m += 1 }
                            digits += String(s[k..<m])
                        }
                        out.append(.number(digits))
                        i = m
                        continue
                    }
                }
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
