import Foundation

/// An independent evaluator for the tests: recursive descent over + - * and parentheses with the usual
/// precedence, so the generator's answers are checked by reading the expression text, not its own steps.
struct ExpressionEvaluator {
    private let chars: [Character]
    private var i = 0

    static func evaluate(_ text: String) -> Int? {
        var e = ExpressionEvaluator(chars: Array(text.filter { $0 != " " }))
        guard let v = e.sum(), e.i == e.chars.count else { return nil }
        return v
    }

    private init(chars: [Character]) { self.chars = chars }

    private mutating func sum() -> Int? {
        guard var value = product() else { return nil }
        while i < chars.count, chars[i] == "+" || chars[i] == "-" {
            let op = chars[i]
            i += 1
            guard let rhs = product() else { return nil }
            value = op == "+" ? value + rhs : value - rhs
        }
        return value
    }

    private mutating func product() -> Int? {
        guard var value = atom() else { return nil }
        while i < chars.count, chars[i] == "*" {
            i += 1
            guard let rhs = atom() else { return nil }
            value *= rhs
        }
        return value
    }

    private mutating func atom() -> Int? {
        guard i < chars.count else { return nil }
        if chars[i] == "(" {
            i += 1
            guard let v = sum(), i < chars.count, chars[i] == ")" else { return nil }
            i += 1
            return v
        }
        var digits = ""
        if chars[i] == "-" { digits = "-"; i += 1 }
        while i < chars.count, chars[i].isNumber { digits.append(chars[i]); i += 1 }
        return Int(digits)
    }
}
