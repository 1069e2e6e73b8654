import TinaCore

/// A JSON reader that keeps object keys in file order (Python dicts do, and `tojson` shows it), producing
/// Jinja values for chat-template contexts (messages, tools).
enum OrderedJSON {
    static func parse(_ text: String, source: String) throws -> JinjaValue {
        var reader = Reader(scalars: Array(text.unicodeScalars), source: source)
        let value = try reader.value()
        reader.skipSpace()
        guard reader.i == reader.scalars.count else { throw reader.fail("trailing characters") }
        return value
    }

    struct Reader {
        let scalars: [Unicode.Scalar]
        let source: String
        var i = 0
        /// Arrays and objects open at `i` (bounded by `JinjaLimits.maxValueDepth`).
        var depth = 0

        init(scalars: [Unicode.Scalar], source: String) {
            self.scalars = scalars
            self.source = source
        }

        func fail(_ reason: String) -> TinaError {
            TinaError.malformed(source: source, reason: "invalid JSON at character \(i): \(reason)")
        }

        mutating func skipSpace() {
            while i < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[i]) { i += 1 }
        }

        mutating func literal(_ word: String, _ value: JinjaValue) throws -> JinjaValue {
            let w = Array(word.unicodeScalars)
            guard i + w.count <= scalars.count, Array(scalars[i..<(i + w.count)]) == w else { throw fail("unexpected token") }
            i += w.count
            return value
        }

        mutating func enter() throws {
            depth += 1
            guard depth <= JinjaLimits.maxValueDepth else {
                throw fail("nesting depth of arrays and objects exceeds the limit of \(JinjaLimits.maxValueDepth)")
            }
        }

        mutating func value() throws -> JinjaValue {
            skipSpace()
            guard i < scalars.count else { throw fail("unexpected end") }
            let opening = scalars[i] == "{" || scalars[i] == "["
            if opening { try enter() }
            defer { if opening { depth -= 1 } }
            switch scalars[i] {
            case "{":
                i += 1
                var pairs: [(String, JinjaValue)] = []
                skipSpace()
                if i < scalars.count, scalars[i] == "}" { i += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard case let .string(key) = try value() else { throw fail("object key is not a string") }
                    skipSpace()
                    guard i < scalars.count, scalars[i] == ":" else { throw fail("expected ':'") }
                    i += 1
                    pairs.append((key, try value()))
                    skipSpace()
                    guard i < scalars.count else { throw fail("unterminated object") }
                    if scalars[i] == "," { i += 1; continue }
                    if scalars[i] == "}" { i += 1; return .object(pairs) }
                    throw fail("expected ',' or '}'")
                }
            case "[":
                i += 1
                var items: [JinjaValue] = []
                skipSpace()
                if i < scalars.count, scalars[i] == "]" { i += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard i < scalars.count else { throw fail("unterminated array") }
                    if scalars[i] == "," { i += 1; continue }
                    if scalars[i] == "]" { i += 1; return .array(items) }
                    throw fail("expected ',' or ']'")
                }
            case "\"":
                i += 1
                var out = String.UnicodeScalarView()
                while i < scalars.count, scalars[i] != "\"" {
                    if scalars[i] == "\\" {
                        i += 1
                        guard i < scalars.count else { break }
                        switch scalars[i] {
                        case "n": out.append("\n")
                        case "t": out.append("\t")
                        case "r": out.append("\r")
                        case "b": out.append("\u{08}")
                        case "f": out.append("\u{0C}")
                        case "u":
                            guard i + 4 < scalars.count, let code = UInt32(String(String.UnicodeScalarView(scalars[(i + 1)...(i + 4)])), radix: 16) else {
                                throw fail("bad \\u escape")
                            }
                            i += 4
                            var value = code
                            if (0xD800..<0xDC00).contains(code), i + 6 < scalars.count, scalars[i + 1] == "\\", scalars[i + 2] == "u",
                               let low = UInt32(String(String.UnicodeScalarView(scalars[(i + 3)...(i + 6)])), radix: 16), (0xDC00..<0xE000).contains(low) {
                                value = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                                i += 6
                            }
                            out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                        default: out.append(scalars[i])
                        }
                    } else {
                        out.append(scalars[i])
                    }
                    i += 1
                }
                guard i < scalars.count else { throw fail("unterminated string") }
                i += 1
                return .string(String(out))
            case "t": return try literal("true", .bool(true))
            case "f": return try literal("false", .bool(false))
            case "n": return try literal("null", .none)
            default:
                let start = i
                while i < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[i]) { i += 1 }
                let text = String(String.UnicodeScalarView(scalars[start..<i]))
                if let int = Int(text) { return .int(int) }
                if let double = Double(text) { return .double(double) }
                throw fail("unexpected character")
            }
        }
    }
}
