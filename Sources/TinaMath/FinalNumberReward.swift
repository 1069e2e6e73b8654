import Foundation

extension TinaRewards {
    /// Not one of Tina's: 1.0 when the last number written in the completion equals the gold's number, else 0
    /// (nil when the gold has no number). The GSM8K-style check ("#### 8", "The answer is: 8") that a small
    /// instruct model without LaTeX habits can earn, so CPU-sized runs get a learning signal; Tina's `accuracy`
    /// needs `\boxed{}` or `$...$`.
    public struct FinalNumber: RewardFunction {
        public let name = "final_number"
        public init() {}

        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map { input in
                guard let gold = Self.lastNumber(in: input.solution) else { return nil }
                guard let predicted = Self.lastNumber(in: input.completion) else { return 0 }
                return predicted == gold ? 1 : 0
            }
        }

        /// The last integer or decimal in `text` (thousands separators dropped, trailing ".0" ignored), as a
        /// canonical string.
        static func lastNumber(in text: String) -> String? {
            var best: Substring?
            var i = text.startIndex
            while i < text.endIndex {
                let c = text[i]
                let next = text.index(after: i)
                // A minus is a sign only before a digit and not right after one ("10-3" is a difference).
                let afterDigit = i > text.startIndex && text[text.index(before: i)].isASCII && text[text.index(before: i)].isNumber
                let isSign = c == "-" && !afterDigit && next < text.endIndex && text[next].isASCII && text[next].isNumber
                if c.isASCII && c.isNumber || isSign {
                    var j = text.index(after: i)
                    while j < text.endIndex {
                        let d = text[j]
                        if d.isASCII && d.isNumber { j = text.index(after: j); continue }
                        // A separator counts only between digits.
                        if d == "." || d == "," {
                            let k = text.index(after: j)
                            if k < text.endIndex && text[k].isASCII && text[k].isNumber { j = k; continue }
                        }
                        break
                    }
                    best = text[i..<j]
                    i = j
                } else {
                    i = text.index(after: i)
                }
            }
            guard var number = best.map({ $0.replacingOccurrences(of: ",", with: "") }) else { return nil }
            if number.contains(".") {
                while number.hasSuffix("0") { number.removeLast() }
                if number.hasSuffix(".") { number.removeLast() }
            }
            return number == "-0" ? "0" : number
        }
    }
}

extension TinaRewards {
    /// Not one of Tina's: a format reward for models without Tina's `<think>` habit. 1.0 when the completion's last
    /// non-empty line states a number as "The answer is: N" (the colon, "final" and a trailing period optional, any
    /// case), else 0, whether or not N is right. SmolLM2-135M-Instruct writes that line (its MetaMathQA/GSM8K-style
    /// SFT data ends so) in about 3-17 % of its answers to arithmetic questions unprompted, which is signal GRPO can
    /// grow; it never writes "</think>" (0 of 80 samples with Tina's OPEN_R1 system prompt). Pair it with
    /// `final_number`, which then reads N.
    public struct AnswerLine: RewardFunction {
        public let name = "answer_line"
        static let pattern = Normalizer.regex(#"^(?:the )?(?:final )?answer is:?[ \t]*-?\d+(?:[.,]\d+)*\.?$"#, options: [.caseInsensitive])
        public init() {}

        public func rewards(_ inputs: [RewardInput]) -> [Double?] {
            inputs.map { Self.hasAnswerLine($0.completion) ? 1 : 0 }
        }

        static func hasAnswerLine(_ text: String) -> Bool {
            guard let last = text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
                .last(where: { !$0.isEmpty }) else { return false }
            return pattern.firstMatch(in: last, range: NSRange(last.startIndex..., in: last)) != nil
        }
    }
}
