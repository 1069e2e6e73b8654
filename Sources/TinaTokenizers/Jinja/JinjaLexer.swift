import TinaCore

/// Splits a template into text, `{{ output }}`, `{% statement %}` and `{# comment #}` parts, applying the
/// whitespace rules transformers renders chat templates with: `trim_blocks` (drop the newline right after a
/// block tag), `lstrip_blocks` (drop spaces and tabs before a block tag on its line) and the `-` markers.
enum JinjaChunk: Equatable {
    case text(String)
    case output(String)
    case statement(String)
}

enum JinjaLexer {
    static func chunks(_ template: String) throws -> [JinjaChunk] {
        let s = Array(template.unicodeScalars)
        var chunks: [JinjaChunk] = []
        var text: [Unicode.Scalar] = []
        var i = 0
        var trimNextLeading = false  // a "-" closed the previous tag
        var afterBlock = false       // trim_blocks: a block or comment tag just closed
        func flushText() {
            if !text.isEmpty { chunks.append(.text(String(String.UnicodeScalarView(text)))); text = [] }
        }
        while i < s.count {
            if s[i] == "{", i + 1 < s.count, s[i + 1] == "{" || s[i + 1] == "%" || s[i + 1] == "#" {
                let kind = s[i + 1]
                let close: Unicode.Scalar = kind == "{" ? "}" : (kind == "%" ? "%" : "#")
                var j = i + 2
                let stripBefore = j < s.count && s[j] == "-"
                if stripBefore || (j < s.count && s[j] == "+") { j += 1 }
                // Find the closing delimiter, skipping string literals inside expressions.
                var end = -1
                var quote: Unicode.Scalar?
                var k = j
                while k + 1 < s.count {
                    if let q = quote {
                        if s[k] == "\\" { k += 2; continue }
                        if s[k] == q { quote = nil }
                    } else if kind != "#" && (s[k] == "'" || s[k] == "\"") {
                        quote = s[k]
                    } else if s[k] == close && s[k + 1] == "}" {
                        end = k
                        break
                    }
                    k += 1
                }
                guard end >= 0 else {
                    throw TinaError.malformed(source: "chat template", reason: "unclosed tag starting at character \(i)")
                }
                var bodyEnd = end
                let stripAfter = bodyEnd > j && s[bodyEnd - 1] == "-"
                if stripAfter || (bodyEnd > j && s[bodyEnd - 1] == "+") { bodyEnd -= 1 }
                // Whitespace before the tag.
                if stripBefore {
                    while let last = text.last, last.properties.isWhitespace { text.removeLast() }
                } else if kind != "{" && !(j > i + 2 && s[i + 2] == "+") {
                    // lstrip_blocks: spaces/tabs between the start of the source line and the block tag.
                    var p = i - 1
                    while p >= 0 && (s[p] == " " || s[p] == "\t") { p -= 1 }
                    if p < 0 || s[p] == "\n" {
                        var n = i - 1 - p
                        while n > 0, let last = text.last, last == " " || last == "\t" { text.removeLast(); n -= 1 }
                    }
                }
                flushText()
                let body = String(String.UnicodeScalarView(s[j..<bodyEnd])).trimmingWhitespace()
                switch kind {
                case "{": chunks.append(.output(body))
                case "%": chunks.append(.statement(body))
                default: break
                }
                i = end + 2
                trimNextLeading = stripAfter
                afterBlock = kind != "{"
                continue
            }
            if trimNextLeading {
                if s[i].properties.isWhitespace { i += 1; continue }
                trimNextLeading = false
            }
            if afterBlock {
                afterBlock = false
                if s[i] == "\n" { i += 1; continue }
                if s[i] == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 2; continue }
            }
            text.append(s[i])
            i += 1
        }
        flushText()
        return chunks
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
