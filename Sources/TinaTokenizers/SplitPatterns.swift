/// Hand-written scanners for the two pre-tokenizer regexes that matter most, with the exact semantics of a
/// backtracking engine (leftmost alternative that matches, greedy quantifiers):
///
/// Qwen2 / DeepSeek-R1:
///   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// GPT-2 (ByteLevel with use_regex):
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// Both return the piece boundaries as ranges of scalar indices; together the pieces cover the input.
public enum SplitPatterns {
    public static let qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    public static let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// Length of a contraction ('s 't 're 've 'm 'll 'd) at `p`, or 0.
    static func contraction(_ s: [Unicode.Scalar], _ p: Int, caseInsensitive: Bool) -> Int {
        guard s[p] == "'", p + 1 < s.count else { return 0 }
        func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
            guard caseInsensitive, c.value >= 65, c.value <= 90 else { return c }
            return Unicode.Scalar(c.value + 32) ?? c
        }
        let a = lower(s[p + 1])
        if a == "s" || a == "t" || a == "m" || a == "d" { return 2 }
        guard p + 2 < s.count else { return 0 }
        let b = lower(s[p + 2])
        if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { return 3 }
        return 0
    }

    static func isOther(_ c: Unicode.Scalar) -> Bool { !c.isSpace && !c.isLetter && !c.isNumber }

    /// End of the whitespace alternatives at `p` (s[p] is whitespace): `\s+(?!\S)` then `\s+`,
    /// preceded in Qwen2 by `\s*[\r\n]+`.
    static func whitespaceEnd(_ s: [Unicode.Scalar], _ p: Int, lineBreakRule: Bool) -> Int {
        var end = p
        while end < s.count && s[end].isSpace { end += 1 }
        if lineBreakRule {
            // \s*[\r\n]+ : the run up to and including its last line break.
            var last = -1
            for i in p..<end where s[i].isLineBreak { last = i }
            if last >= 0 { return last + 1 }
        }
        // \s+(?!\S): the whole run at the end of input, else all but its last scalar (if that leaves one).
        if end == s.count { return end }
        if end - p >= 2 { return end - 1 }
        return end  // \s+
    }

    static func qwen2Pieces(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var p = 0
        while p < s.count {
            let c = s[p]
            var end = p + 1
            let k = contraction(s, p, caseInsensitive: true)
            if k > 0 {
                end = p + k
            } else if c.isLetter || (!c.isLineBreak && !c.isNumber && p + 1 < s.count && s[p + 1].isLetter) {
                // [^\r\n\p{L}\p{N}]?\p{L}+
                end = c.isLetter ? p : p + 1
                while end < s.count && s[end].isLetter { end += 1 }
            } else if c.isNumber {
                end = p + 1
            } else if isOther(c) || (c == " " && p + 1 < s.count && isOther(s[p + 1])) {
                //  ?[^\s\p{L}\p{N}]+[\r\n]*
                end = c == " " ? p + 1 : p
                while end < s.count && isOther(s[end]) { end += 1 }
                while end < s.count && s[end].isLineBreak { end += 1 }
            } else {
                end = whitespaceEnd(s, p, lineBreakRule: true)
            }
            pieces.append(p..<end)
            p = end
        }
        return pieces
    }

    static func gpt2Pieces(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var p = 0
        while p < s.count {
            let c = s[p]
            var end = p + 1
            let k = contraction(s, p, caseInsensitive: false)
            let start = c == " " && p + 1 < s.count ? p + 1 : p  // the optional leading space
            if k > 0 {
                end = p + k
            } else if s[start].isLetter {
                end = start
                while end < s.count && s[end].isLetter { end += 1 }
            } else if s[start].isNumber {
                end = start
                while end < s.count && s[end].isNumber { end += 1 }
            } else if isOther(s[start]) {
                end = start
                while end < s.count && isOther(s[end]) { end += 1 }
            } else {
                end = whitespaceEnd(s, p, lineBreakRule: false)
            }
            pieces.append(p..<end)
            p = end
        }
        return pieces
    }
}
